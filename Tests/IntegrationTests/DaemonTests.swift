import DiscountClient
import Foundation
import TTRPC
import Testing

/// The real daemon on a temporary socket, called through the client library.
@Suite struct DaemonTests {
    @Test func healthCheckIsServing() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client()
            #expect(try await client.health().status == .serving)
            await client.close()
        }
    }

    @Test func serverInfoDescribesTheDaemon() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client()
            let info = try await client.serverInfo()
            #expect(info.socket == daemon.socketPath)
            #expect(!info.version.isEmpty)
            #expect(info.uptimeSeconds >= 0)
            #expect((info.startedAt?.seconds ?? 0) > 1_700_000_000)
            await client.close()
        }
    }

    /// Linked ahead of the C library, jemalloc serves every allocation (the
    /// daemon checks that it counted one); linked behind it, the log says not.
    @Test func mallocIsJemalloc() async throws {
        try await withDaemon(arguments: ["--log-level", "info"]) { daemon in
            let client = try await daemon.client()
            #expect(try await client.health().status == .serving)
            await client.close()
            #expect(daemon.stderr.contains("malloc: jemalloc 5."), "\(daemon.stderr)")
            #expect(!daemon.stderr.contains("malloc: not jemalloc"), "\(daemon.stderr)")
        }
    }

    @Test func malformedPayloadIsInvalidArgumentWithDetail() async throws {
        try await withDaemon { daemon in
            let raw = try await TTRPCClient.connect(socketPath: daemon.socketPath)
            await #expect {
                _ = try await raw.call(HealthRPC.check, payload: [0xFF, 0xFF, 0xFF])
            } throws: { error in
                guard let error = error as? RPCError else { return false }
                return error.code == .invalidArgument && error.detail?.reason == "INVALID_ARGUMENT"
                    && error.detail?.field == "payload" && error.message.contains("Health.Check")
            }
            await raw.close()
        }
    }

    @Test func unknownMethodIsUnimplemented() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client()
            await #expect {
                _ = try await client.call(HealthRPC.serviceName, "Nope", HealthCheckRequest(), as: HealthCheckResponse.self)
            } throws: { ($0 as? RPCError)?.code == .unimplemented }
            await client.close()
        }
    }

    @Test func requireAuthRefusesCallsWithoutAToken() async throws {
        try await withDaemon(arguments: ["--require-auth"]) { daemon in
            let client = try await daemon.client()
            // Health stays open for supervisors.
            #expect(try await client.health().status == .serving)
            await #expect {
                _ = try await client.serverInfo()
            } throws: { error in
                guard let error = error as? RPCError else { return false }
                return error.code == .unauthenticated && error.detail?.reason == "UNAUTHENTICATED"
            }
            await client.close()
        }
    }

    @Test func unknownTokenIsUnauthenticated() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client(.init(token: "not-a-token"))
            await #expect {
                _ = try await client.serverInfo()
            } throws: { ($0 as? RPCError)?.code == .unauthenticated }
            await client.close()
        }
    }

    /// Durations become Int64 nanoseconds: an infinite or absurd one used to trap at start.
    @Test(arguments: [
        ["--default-timeout", "inf"], ["--idle-timeout", "1e300"], ["--grace-period", "nan"],
        ["--grace-period", "-1"], ["--shopify-timeout", "1e12"],
    ])
    func absurdDurationsAreRefusedWithAMessage(_ flag: [String]) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "discountd-flags-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try await runDiscountd(
            ["--socket", folder.appendingPathComponent("d.sock").path, "--data-dir", folder.appendingPathComponent("data").path]
                + flag)
        #expect(result.status == 64, "a usage error, not a crash: \(result.stderr)")
        #expect(result.stderr.contains(flag[0]), "\(result.stderr)")
    }

    @Test func sigtermExitsZeroAndRemovesTheSocket() async throws {
        let daemon = try await DaemonProcess.start()
        defer { daemon.remove() }
        #expect(await daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
    }

    @Test func aSecondDaemonOnALiveSocketIsRefused() async throws {
        try await withDaemon { daemon in
            let second = try DaemonProcess(directory: daemon.directory)
            #expect(try await second.runToEnd().status != 0)
            // The first one is untouched.
            let client = try await daemon.client()
            #expect(try await client.health().status == .serving)
            await client.close()
        }
    }

    @Test func aStaleSocketIsReplaced() async throws {
        let first = try await DaemonProcess.start()
        defer { first.remove() }
        first.signal(SIGINT)  // SIGINT also drains; then kill hard to leave the file behind
        first.signal(SIGKILL)
        _ = await first.wait()
        // Recreate a stale socket file if the signal raced the cleanup.
        if !FileManager.default.fileExists(atPath: first.socketPath) {
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                let bytes = Array(first.socketPath.utf8)
                raw.copyBytes(from: bytes)
                raw[bytes.count] = 0
            }
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            close(fd)
        }
        #expect(FileManager.default.fileExists(atPath: first.socketPath))
        let second = try DaemonProcess(directory: first.directory)
        try await second.start()
        let client = try await second.client()
        #expect(try await client.health().status == .serving)
        await client.close()
        #expect(await second.stop() == 0)
    }
}
