import Foundation
import Logging
import NIOCore
import NIOPosix
import Synchronization
import Testing

@testable import TTRPC

/// Server and client over a real Unix socket.
@Suite struct LiveServerTests {
    static func router() -> Router {
        var router = Router()
        router.register("test.Echo", "Echo", .unary({ payload, _ in payload }, fastPath: { payload, _ in .answered(payload) }))
        // The fast path answers [0, x] itself, leaves [1, x] to the body and
        // carries what it read of [2, x] into the task it asks for.
        router.register(
            "test.Echo", "Memo",
            .unary(
                { payload, _ in [0xB0] + payload },
                fastPath: { payload, _ in
                    switch payload.first {
                    case 0: return .answered([0xFA] + payload)
                    case 1: return .runBody
                    default:
                        let read = payload.dropFirst()
                        return .continueWith {
                            try await Task.sleep(for: .milliseconds(1))
                            return [0xC0] + read
                        }
                    }
                }))
        router.register(
            "test.Echo", "Slow",
            .unary { payload, _ in
                try await Task.sleep(for: .milliseconds(Int(payload.first ?? 0) * 10))
                return payload
            })
        router.register(
            "test.Echo", "Held",
            .unary { payload, _ in
                // Says it has started, then takes its time: lets a test act while a call is in flight.
                heldCallsStarted.add(1, ordering: .relaxed)
                try await Task.sleep(for: .milliseconds(300))
                return payload
            })
        router.register(
            "test.Echo", "Metadata",
            .unary { _, context in
                Array((context.metadata["x-test"] ?? "").utf8)
            })
        // Whether the body ran on an event loop, before and after a wait.
        let onEventLoop: @Sendable ([UInt8], CallContext) async throws -> [UInt8] = { _, _ in
            let before = MultiThreadedEventLoopGroup.currentEventLoop != nil
            try await Task.sleep(for: .milliseconds(1))
            return [before ? 1 : 0, MultiThreadedEventLoopGroup.currentEventLoop != nil ? 1 : 0]
        }
        router.register("test.Where", "Loop", .unary(onEventLoop, placement: .eventLoop))
        router.register("test.Where", "Pool", .unary(onEventLoop))
        router.register(
            "test.Where", "LoopStream",
            .serverStreaming(
                { payload, context, sink in try await sink.send(try await onEventLoop(payload, context)) }, placement: .eventLoop)
        )
        router.register(
            "test.Echo", "Count",
            .serverStreaming { payload, _, sink in
                for index in 0..<Int(payload.first ?? 0) { try await sink.send([UInt8(index)]) }
            })
        router.register(
            "test.Echo", "StreamFail",
            .serverStreaming { _, _, sink in
                try await sink.send([1])
                throw RPCError(.dataLoss, "broke midway")
            })
        return router
    }

    /// Runs `body` against a fresh server on a temporary socket.
    func withServer(
        limits: ServerLimits = ServerLimits(), _ body: (TTRPCServer, String) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ttrpc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.sock").path
        var configuration = TTRPCServer.Configuration(socketPath: path)
        configuration.limits = limits
        let server = try await TTRPCServer.bind(
            configuration: configuration, router: Self.router(), logger: Logger(label: "test"))
        do {
            try await body(server, path)
        } catch {
            await server.shutdown(gracePeriod: .seconds(1))
            throw error
        }
        await server.shutdown(gracePeriod: .seconds(1))
    }

    @Test func unaryAndInlineCallsRoundTrip() async throws {
        try await withServer { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            #expect(try await client.call(service: "test.Echo", method: "Echo", payload: [1, 2]) == [1, 2])
            #expect(try await client.call(service: "test.Echo", method: "Slow", payload: [1]) == [1])
            await client.close()
        }
    }

    @Test func aFastPathAnswersHandsOverToTheBodyOrCarriesItsWorkIntoATask() async throws {
        try await withServer { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            #expect(try await client.call(service: "test.Echo", method: "Memo", payload: [0, 7]) == [0xFA, 0, 7])
            #expect(try await client.call(service: "test.Echo", method: "Memo", payload: [1, 7]) == [0xB0, 1, 7])
            #expect(try await client.call(service: "test.Echo", method: "Memo", payload: [2, 7]) == [0xC0, 7])
            await client.close()
        }
    }

    @Test func aBodyPlacedOnTheEventLoopRunsThereAcrossItsWaits() async throws {
        try await withServer { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            #expect(try await client.call(service: "test.Where", method: "Loop", payload: []) == [1, 1])
            #expect(try await client.call(service: "test.Where", method: "Pool", payload: []) == [0, 0])
            var streamed: [[UInt8]] = []
            for try await message in client.serverStream(service: "test.Where", method: "LoopStream", payload: []) {
                streamed.append(message)
            }
            #expect(streamed == [[1, 1]])
            await client.close()
        }
    }

    @Test func socketIsPrivateToItsOwner() async throws {
        try await withServer { _, path in
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
    }

    @Test func aLiveSocketIsNotReplaced() async throws {
        try await withServer { _, path in
            #expect(throws: UnixSocketFile.Failure.self) { try UnixSocketFile.prepare(path) }
        }
    }

    @Test func metadataReachesTheHandler() async throws {
        try await withServer { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            let answer = try await client.call(
                service: "test.Echo", method: "Metadata", payload: [], metadata: ["X-Test": "hello"])
            #expect(answer == Array("hello".utf8))
            await client.close()
        }
    }

    @Test func manyCallsInFlightOnOneConnectionAnswerOutOfOrder() async throws {
        try await withServer { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        let payload = [UInt8(index % 5)]
                        let answer = try await client.call(
                            service: "test.Echo", method: index % 2 == 0 ? "Slow" : "Echo", payload: payload)
                        #expect(answer == payload)
                    }
                }
                try await group.waitForAll()
            }
            await client.close()
        }
    }

    @Test func deadlinePassedGivesDeadlineExceeded() async throws {
        try await withServer { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            await #expect {
                _ = try await client.call(service: "test.Echo", method: "Slow", payload: [100], timeout: .milliseconds(50))
            } throws: { ($0 as? RPCError)?.code == .deadlineExceeded }
            // The connection is still good afterwards.
            #expect(try await client.call(service: "test.Echo", method: "Echo", payload: [3]) == [3])
            await client.close()
        }
    }

    @Test func serverStreamSendsEveryMessageThenEnds() async throws {
        try await withServer { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            var received: [UInt8] = []
            for try await message in client.serverStream(service: "test.Echo", method: "Count", payload: [200]) {
                received.append(contentsOf: message)
            }
            #expect(received == (0..<200).map { UInt8($0) })
            await client.close()
        }
    }

    @Test func serverStreamErrorEndsTheStreamWithItsStatus() async throws {
        try await withServer { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            var received: [[UInt8]] = []
            await #expect {
                for try await message in client.serverStream(service: "test.Echo", method: "StreamFail", payload: []) {
                    received.append(message)
                }
            } throws: { ($0 as? RPCError)?.code == .dataLoss }
            #expect(received == [[1]])
            await client.close()
        }
    }

    /// Past the limit the server stops reading (back-pressure); every call still gets its answer.
    @Test func backPressureStillAnswersEveryCall() async throws {
        var limits = ServerLimits()
        limits.maxCallsInFlight = 4
        try await withServer(limits: limits) { _, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<100 {
                    group.addTask { _ = try await client.call(service: "test.Echo", method: "Slow", payload: [1]) }
                }
                try await group.waitForAll()
            }
            await client.close()
        }
    }

    @Test func shutdownDrainsCallsInFlightAndRefusesNewOnes() async throws {
        try await withServer { server, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            let before = heldCallsStarted.load(ordering: .relaxed)
            async let held = client.call(service: "test.Echo", method: "Held", payload: [20])
            while heldCallsStarted.load(ordering: .relaxed) == before { try await Task.sleep(for: .milliseconds(5)) }
            async let stopped: Void = server.shutdown(gracePeriod: .seconds(5))
            #expect(try await held == [20])
            await stopped
            #expect(!FileManager.default.fileExists(atPath: path))
            await client.close()
        }
    }
}

/// Counts "Held" calls that have started (tests run in parallel, so compare before/after).
let heldCallsStarted = Atomic<Int>(0)
