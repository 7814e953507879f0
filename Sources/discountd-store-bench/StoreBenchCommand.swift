import ArgumentParser
import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Foundation

/// The durable-write ceiling of the store itself: the daemon's SQLite store
/// (same file settings, synchronous=FULL, group commit), driven through the
/// same completion calls the daemon's event loops use, with no RPC, no codec
/// and no cache in front. Whatever a front end adds, durable writes through
/// this store cannot go faster than this on the same machine; scripts/load-test
/// prints it beside the daemon and the Go echo in the same run.
@main
struct StoreBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discountd-store-bench",
        abstract: "Durable writes/s through the SQLite store alone (no RPC), as one JSON line.")

    @Option(help: "create-discount-code, assign-voucher-code, redeem-discount-code or get-my-discount-code-first.")
    var scenario: StoreScenario

    @Flag(help: "The engine's floor instead of the store: the scenario's statements through SQLite's C API, one thread.")
    var bare = false

    @Option(help: "With --bare: writes per transaction (1 gives one write's latency as p50_us and p99_us).")
    var rowsPerTransaction = 256

    @Option(help: "Writes kept in flight (the daemon under 4x64 load has 256).")
    var inFlight = 256

    @Option(help: "Seconds measured, after the warm-up.")
    var seconds = 5.0

    @Option(help: "Seconds of warm-up, not counted.")
    var warmup = 0.5

    @Option(help: "The shape the figure is listed under beside the daemon's (256 in flight is 4x64's).")
    var shape = "4x64"

    @Option(help: "Folder for the temporary store (removed afterwards).")
    var dataDir = NSTemporaryDirectory()

    func run() async throws {
        let directory = URL(fileURLWithPath: dataDir).appendingPathComponent("store-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        if bare {
            let floor = try await BareSQLiteFloor.run(
                scenario, directory: directory, rowsPerTransaction: rowsPerTransaction, seconds: seconds, warmup: warmup)
            try print(
                line(
                    server: "bare-sqlite", perSecond: floor.perSecond, errors: floor.failed,
                    load: "SQLite C API, one thread, \(rowsPerTransaction) per transaction",
                    latency: rowsPerTransaction == 1 ? (floor.p50Microseconds, floor.p99Microseconds) : nil))
            return
        }
        let store = try SQLiteStore.open(path: directory.appendingPathComponent("discountd.sqlite").path, synchronous: .full)
        // Enough rows for a run twice as fast as any seen: assignments need codes, first-time codes need agents.
        let expected = Int((seconds + warmup) * 150_000)
        let write = StoreScenario.write(to: store, using: try await scenario.setUp(store, expectedWrites: expected))
        let result = try await ClosedLoop(inFlight: inFlight, write: write).run(warmup: warmup, seconds: seconds)
        await store.close()
        try print(
            line(
                server: "sqlite-store", perSecond: result.perSecond, errors: result.errors,
                load: "discountd-store-bench, \(inFlight) in flight"))
    }

    private func line(
        server: String, perSecond: Double, errors: Int, load: String, latency: (p50: Double, p99: Double)? = nil
    ) throws -> String {
        var fields: [String: Any] = [
            "scenario": scenario.rawValue, "shape": shape, "server": server, "calls_per_s": perSecond, "errors": errors,
            "load": load,
        ]
        if let latency {
            fields["p50_us"] = (latency.p50 * 10).rounded() / 10
            fields["p99_us"] = (latency.p99 * 10).rounded() / 10
        }
        return String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    }
}
