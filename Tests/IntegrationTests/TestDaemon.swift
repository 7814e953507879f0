import DiscountClient
import DiscountTestSupport
import Foundation

/// A daemon a test talks to over its socket, wherever it runs: in the test
/// process (`InProcessDaemon`: the real router, services and store, started
/// in milliseconds) or as a real process (`DaemonProcess`). Test bodies that
/// only call the daemon take this, and run either way.
protocol TestDaemon: Sendable {
    var socketPath: String { get }
    func client(_ options: DiscountClient.Options) async throws -> DiscountClient
}

extension TestDaemon {
    func client() async throws -> DiscountClient { try await client(.forTests) }
}

extension DaemonProcess: TestDaemon {}
extension InProcessDaemon: TestDaemon {}

/// Runs `body` against a fresh daemon: in-process, or a real process when
/// DISCOUNTD_TEST_LIVE=1 (the same bodies, checked against the binary).
/// Tests of flags, signals and the socket itself use `withDaemon` instead.
func withTestDaemon(_ body: (any TestDaemon) async throws -> Void) async throws {
    if ProcessInfo.processInfo.environment["DISCOUNTD_TEST_LIVE"] == "1" {
        try await withDaemon { try await body($0) }
    } else {
        try await withInProcessDaemon { try await body($0) }
    }
}
