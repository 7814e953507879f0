import Foundation
import Testing

/// discountctl as a process against a live daemon.
@Suite struct DiscountctlTests {
    @Test func healthPrintsServingAsJSON() async throws {
        try await withDaemon { daemon in
            let result = try await discountctl(["health", "--socket", daemon.socketPath])
            #expect(result.status == 0)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(json?["status"] as? String == "serving")
        }
    }

    @Test func socketComesFromTheEnvironment() async throws {
        try await withDaemon { daemon in
            let result = try await discountctl(["server-info"], environment: ["DISCOUNTD_SOCKET": daemon.socketPath])
            #expect(result.status == 0)
            let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            #expect(json?["socket"] as? String == daemon.socketPath)
            #expect(json?["version"] as? String != nil)
            #expect(json?["backend"] as? String != nil)
        }
    }

    @Test func unreachableDaemonExitsUnavailableWithAHint() async throws {
        let result = try await discountctl(["health", "--socket", "/tmp/no-such-discountd.sock"])
        #expect(result.status == 69)
        #expect(result.stderr.contains("cannot reach discountd"))
        #expect(result.stderr.contains("hint:"))
    }

    @Test func permissionErrorsExitNoPerm() async throws {
        try await withDaemon(arguments: ["--require-auth"]) { daemon in
            let result = try await discountctl(["server-info", "--socket", daemon.socketPath])
            #expect(result.status == 77)
            #expect(result.stderr.contains("UNAUTHENTICATED"))
            #expect(result.stderr.contains("hint:"))
        }
    }

    @Test func usageErrorsExit64() async throws {
        let result = try await discountctl(["health", "--timeout", "-1"])
        #expect(result.status == 64)
    }
}
