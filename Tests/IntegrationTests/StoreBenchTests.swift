import DiscountTestSupport
import Foundation
import ProcessSpawning
import Testing

/// `discountd-store-bench` as a process: each durable-write scenario through the
/// store and through the bare engine, briefly. The floors' statements are copies
/// of the store's; a schema they no longer fit shows here as failed writes.
@Suite struct StoreBenchTests {
    static let scenarios = [
        "create-discount-code", "redeem-discount-code", "get-my-discount-code-first", "assign-voucher-code",
    ]

    /// One run's JSON line; the temporary data folder is removed afterwards.
    private func storeBench(_ arguments: [String]) async throws -> [String: Any] {
        let folder = try makeTemporaryFolder("store-bench")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try await ChildProcess.run(
            DaemonProcess.tool("discountd-store-bench").path,
            arguments + ["--seconds", "0.3", "--warmup", "0.1", "--data-dir", folder.path])
        #expect(output.status == 0, "\(output.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
    }

    @Test(arguments: scenarios)
    func theStoreWritesWithoutFailures(scenario: String) async throws {
        let line = try await storeBench(["--scenario", scenario, "--in-flight", "16"])
        #expect(line["server"] as? String == "sqlite-store")
        #expect(line["errors"] as? Int == 0)
        #expect((line["calls_per_s"] as? Double ?? 0) > 0)
    }

    @Test(arguments: scenarios)
    func theEngineFloorRunsTheScenariosStatementsWithoutFailures(scenario: String) async throws {
        let line = try await storeBench(["--scenario", scenario, "--bare"])
        #expect(line["server"] as? String == "bare-sqlite")
        #expect(line["scenario"] as? String == scenario)
        #expect(line["errors"] as? Int == 0)
        #expect((line["calls_per_s"] as? Double ?? 0) > 0)
        #expect(line["p50_us"] == nil, "256 writes per transaction: no one write's latency")
    }

    @Test func oneWritePerTransactionReportsItsLatency() async throws {
        let line = try await storeBench([
            "--scenario", "create-discount-code", "--bare", "--rows-per-transaction", "1", "--shape", "1x1",
        ])
        #expect(line["shape"] as? String == "1x1")
        #expect(line["errors"] as? Int == 0)
        let (p50, p99) = (line["p50_us"] as? Double ?? 0, line["p99_us"] as? Double ?? 0)
        #expect(p50 > 0 && p99 >= p50, "p50 \(p50), p99 \(p99)")
    }
}
