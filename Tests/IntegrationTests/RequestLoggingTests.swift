import DiscountClient
import Foundation
import TTRPC
import Testing

/// Structured logs: each connection logged once with the peer's pid, uid and
/// gid; at debug each call with its request id (the client's, or one made up);
/// at info no line per call.
@Suite struct RequestLoggingTests {
    /// A daemon whose stderr goes to a file; returns it with the file's path.
    private func startDaemon(logLevel: String) async throws -> (DaemonProcess, String) {
        let daemon = try DaemonProcess(arguments: ["--log-level", logLevel])
        try await daemon.start()
        return (daemon, daemon.stderrPath)
    }

    private func lines(_ path: String) -> [String] {
        String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
            .split(separator: "\n").map(String.init)
    }

    @Test func debugLogsEveryCallWithItsRequestIDAndTheConnectionWithItsPeer() async throws {
        let (daemon, log) = try await startDaemon(logLevel: "debug")
        defer { daemon.remove() }
        let tagged = try await daemon.client(.init(requestID: "req-from-client-42"))
        _ = try await tagged.health()
        await expectRPCError(.notFound) { try await tagged.getPriceRule(id: "missing") }
        await tagged.close()
        // The other spelling, `request-id`, straight over ttrpc.
        let raw = try await TTRPCClient.connect(socketPath: daemon.socketPath)
        _ = try await raw.call(HealthRPC.check, payload: [], metadata: ["request-id": "plain-key-7"])
        // No id sent: one is made up, "<connection>-<stream>".
        _ = try await raw.call(HealthRPC.check, payload: [])
        await raw.close()
        await daemon.stop()

        let all = lines(log)
        let me = ProcessInfo.processInfo.processIdentifier
        let accepted = all.filter { $0.contains("connection accepted") }
        #expect(accepted.count >= 2, "\(all.suffix(20))")
        #expect(
            accepted.allSatisfy {
                $0.contains("peer-pid=\(me)") && $0.contains("peer-uid=\(getuid())") && $0.contains("peer-gid=\(getgid())")
            },
            "\(accepted)")
        let calls = all.filter { $0.hasSuffix(" call") || $0.contains("] call") }
        #expect(calls.filter { $0.contains("request-id=req-from-client-42") }.count == 2, "\(calls)")
        #expect(calls.contains { $0.contains("request-id=plain-key-7") && $0.contains("Health/Check") })
        let madeUp = calls.filter {
            $0.contains("peer-pid=\(me)") && !$0.contains("req-from-client") && !$0.contains("plain-key")
        }
        #expect(madeUp.count == 1, "\(calls)")
        #expect(madeUp.first?.range(of: #"request-id=\d+-3( |$)"#, options: .regularExpression) != nil, "\(madeUp)")
    }

    @Test func infoLogsConnectionsButNoLinePerCall() async throws {
        let (daemon, log) = try await startDaemon(logLevel: "info")
        defer { daemon.remove() }
        let client = try await daemon.client(.init(requestID: "quiet-99"))
        for _ in 0..<50 { _ = try await client.health() }
        await client.close()
        await daemon.stop()
        let all = lines(log)
        #expect(all.contains { $0.contains("connection accepted") && $0.contains("peer-pid=") })
        #expect(!all.contains { $0.contains("quiet-99") }, "\(all)")
        #expect(all.count < 10, "a line per call at info: \(all.count) lines")
    }
}
