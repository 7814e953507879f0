import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import TTRPC

/// The connection cap, calls in flight and idle time, on in-memory channels.
@Suite struct ServerLimitsTests {
    /// A router of its own per test: the connection count lives in its metrics.
    static func makeRouter() -> Router {
        var router = Router()
        router.register("test.Echo", "Echo", .unary({ payload, _ in payload }, fastPath: { payload, _ in .answered(payload) }))
        // In flight until its deadline or the connection closes: a task that
        // never finishes (not even when cancelled), so it never comes back to
        // touch the (single-threaded) embedded event loop from another thread.
        router.register(
            "test.Echo", "Hang",
            .unary { _, _ in
                await withUnsafeContinuation { (_: UnsafeContinuation<Void, Never>) in }
                return []
            })
        return router
    }

    func makeChannel(_ router: Router, _ configure: (inout ServerLimits) -> Void = { _ in }) throws -> EmbeddedChannel {
        var limits = ServerLimits()
        configure(&limits)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ServerConnectionHandler(router: router, limits: limits, polling: LoopPolling(), logger: Logger(label: "test")))
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/tmp/none")).wait()
        return channel
    }

    func request(_ streamID: UInt32, _ method: String, timeoutNano: Int64 = 0) -> ByteBuffer {
        var buffer = ByteBuffer()
        let request = TTRPCRequest(service: "test.Echo", method: method, payload: [7], timeoutNano: timeoutNano)
        buffer.writeFrame(streamID: streamID, type: .request) { request.encode(into: &$0) }
        return buffer
    }

    func answers(_ channel: EmbeddedChannel) throws -> [(streamID: UInt32, code: Int32)] {
        var all = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&chunk) }
        var found: [(UInt32, Int32)] = []
        while let header = all.readFrameHeader() {
            let response = try TTRPCResponse(protobufBytes: all.readSlice(length: Int(header.length))!)
            found.append((header.streamID, response.status?.code ?? 0))
        }
        return found
    }

    /// At the limit the rest wait unparsed: even an inline Echo behind two
    /// hanging calls is not answered (nor shed). LiveServerTests'
    /// backPressureStillAnswersEveryCall shows they are served once calls finish.
    @Test func callsPastTheLimitWaitUnread() throws {
        let channel = try makeChannel(Self.makeRouter()) { $0.maxCallsInFlight = 2 }
        var batch = ByteBuffer()
        for (id, method) in [(UInt32(1), "Hang"), (3, "Hang"), (5, "Echo"), (7, "Echo")] {
            var one = request(id, method)
            batch.writeBuffer(&one)
        }
        try channel.writeInbound(batch)
        channel.embeddedEventLoop.run()
        #expect(try answers(channel).isEmpty)
        #expect(channel.isActive)
        _ = try? channel.close().wait()
    }

    @Test func underTheLimitInlineCallsAreAnsweredAtOnce() throws {
        let channel = try makeChannel(Self.makeRouter()) { $0.maxCallsInFlight = 2 }
        var batch = ByteBuffer()
        for (id, method) in [(UInt32(1), "Hang"), (3, "Echo"), (5, "Echo")] {
            var one = request(id, method)
            batch.writeBuffer(&one)
        }
        try channel.writeInbound(batch)
        channel.embeddedEventLoop.run()
        #expect(try answers(channel).map(\.streamID) == [3, 5])
        _ = try? channel.close().wait()
    }

    @Test func connectionsPastTheCapAreAnsweredUnavailableThenClosed() throws {
        let router = Self.makeRouter()
        let first = try makeChannel(router) { $0.maxConnections = 1 }
        let second = try makeChannel(router) { $0.maxConnections = 1 }
        try second.writeInbound(request(1, "Echo"))
        #expect(try answers(second).map(\.code) == [StatusCode.unavailable.rawValue])
        #expect(!second.isActive)
        try first.writeInbound(request(1, "Echo"))
        #expect(try answers(first).map(\.code) == [0])
        #expect(first.isActive)
        _ = try? first.close().wait()
        // The closed ones no longer count.
        let third = try makeChannel(router) { $0.maxConnections = 1 }
        try third.writeInbound(request(1, "Echo"))
        #expect(try answers(third).map(\.code) == [0])
        _ = try? third.close().wait()
    }

    @Test func aRefusedConnectionThatSendsNothingIsClosed() throws {
        let router = Self.makeRouter()
        let first = try makeChannel(router) { $0.maxConnections = 1 }
        let silent = try makeChannel(router) { $0.maxConnections = 1 }
        #expect(silent.isActive)
        silent.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!silent.isActive)
        _ = try? first.close().wait()
    }

    @Test func idleConnectionsAreClosedAndBusyOnesAreNot() throws {
        let router = Self.makeRouter()
        let idle = try makeChannel(router) { $0.idleTimeout = .seconds(1) }
        let busy = try makeChannel(router) { $0.idleTimeout = .seconds(1) }
        let waiting = try makeChannel(router) { $0.idleTimeout = .seconds(1) }
        // A call in flight is not idleness, however long it takes.
        try waiting.writeInbound(request(1, "Hang", timeoutNano: 10_000_000_000))
        for step in 1...8 {
            try busy.writeInbound(request(UInt32(2 * step + 1), "Echo"))
            for channel in [idle, busy, waiting] { channel.embeddedEventLoop.advanceTime(by: .milliseconds(250)) }
        }
        #expect(!idle.isActive)
        #expect(busy.isActive)
        #expect(waiting.isActive)
        _ = try? busy.close().wait()
        _ = try? waiting.close().wait()
    }
}

/// The default deadline, and the limits over a real socket.
@Suite struct LiveServerLimitsTests {
    @Test func callsWithoutATimeoutGetTheDefaultDeadline() async throws {
        var limits = ServerLimits()
        limits.defaultTimeout = .seconds(1)
        try await LiveServerTests().withServer(limits: limits) { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            let started = ContinuousClock.now
            // Slow sleeps payload × 10 ms: 2.5 s, past the default deadline.
            do {
                _ = try await client.call(service: "test.Echo", method: "Slow", payload: [250])
                Issue.record("a call past the default deadline was answered OK")
            } catch let error as RPCError {
                #expect(error.code == .deadlineExceeded)
            }
            let took = ContinuousClock.now - started
            // Answered at the deadline, not when the handler would have finished
            // (the code says which); a loaded machine may deliver it late.
            #expect(took >= .seconds(1))
            // The connection goes on, and a call's own timeout replaces the default
            // (30 s: a quick call on a machine loaded by the whole suite can take
            // longer than the 1 s default).
            #expect(try await client.call(service: "test.Echo", method: "Slow", payload: [0], timeout: .seconds(30)) == [0])
            await client.close()
        }
    }

    @Test func aConnectionPastTheCapGetsUnavailable() async throws {
        var limits = ServerLimits()
        limits.maxConnections = 1
        try await LiveServerTests().withServer(limits: limits) { _, path in
            let first = try await TTRPCClient.connect(socketPath: path)
            #expect(try await first.call(service: "test.Echo", method: "Echo", payload: [1]) == [1])
            // A refused connection that stays silent for 1 s is closed, so on a
            // loaded machine the client may find it closed instead of answered.
            do {
                let second = try await TTRPCClient.connect(socketPath: path)
                defer { Task { await second.close() } }
                _ = try await second.call(service: "test.Echo", method: "Echo", payload: [1])
                Issue.record("a connection past the cap was served")
            } catch let error as RPCError {
                #expect(error.code == .unavailable)
            } catch {
                // Closed by the server before the call got an answer: refused all the same.
            }
            #expect(try await first.call(service: "test.Echo", method: "Echo", payload: [2]) == [2])
            await first.close()
        }
    }
}
