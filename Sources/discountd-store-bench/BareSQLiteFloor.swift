import CSQLite
import CSQLiteTuning
import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Foundation
import SystemRandom

/// The floor under a scenario's durable-write figure: the statements the
/// store runs for each write (its lookups included), straight through SQLite's
/// C API on one thread, into a file with the store's own schema and fixture
/// rows (made by `SQLiteStore`) and settings (WAL, synchronous=FULL, 4 KiB
/// pages, the same process settings). No writer thread, no jobs, no tasks: how
/// far the store is from the engine for the same rows, and whether the engine
/// could meet a target at all.
enum BareSQLiteFloor {
    struct Result {
        var perSecond: Double
        /// Writes that wrote nothing (a fixture too small, or statements the schema no longer takes).
        var failed: Int
        /// Of each transaction, BEGIN to COMMIT's return (one write's when there is one per transaction).
        var p50Microseconds: Double
        var p99Microseconds: Double
    }

    static func run(
        _ scenario: StoreScenario, directory: URL, rowsPerTransaction: Int, seconds: Double, warmup: Double
    ) async throws -> Result {
        let path = directory.appendingPathComponent("discountd.sqlite").path
        let store = try SQLiteStore.open(path: path, synchronous: .full)
        let fixture = try await scenario.setUp(store, expectedWrites: Int((seconds + warmup) * 300_000))
        await store.close()

        _ = discountd_sqlite_configure()
        var opened: OpaquePointer?
        guard sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK, let db = opened
        else { throw BareSQLiteError(opened) }
        defer { sqlite3_close_v2(db) }
        for pragma in [
            "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
            "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY",
        ] {
            sqlite3_exec(db, pragma, nil, nil, nil)
        }
        let writes = try BareWrites.make(for: fixture, on: db)
        let (begin, commit) = (try BareStatement(db, "BEGIN IMMEDIATE"), try BareStatement(db, "COMMIT"))

        var (written, attempts, countedBefore, attemptedBefore) = (0, 0, 0, 0)
        var durations: [Duration] = []
        let clock = ContinuousClock()
        let warmupEnd = clock.now + .nanoseconds(Int64(warmup * 1e9))
        let end = warmupEnd + .nanoseconds(Int64(seconds * 1e9))
        // The counted transactions' own span: the last one ends past `end`.
        var (countedStart, countedEnd) = (end, end)
        while clock.now < end {
            let started = clock.now
            guard begin.run() else { throw BareSQLiteError(db) }
            for _ in 0..<rowsPerTransaction {
                if writes.write(attempts) { written += 1 }
                attempts += 1
            }
            guard writes.beforeCommit(), commit.run() else { throw BareSQLiteError(db) }
            let ended = clock.now
            if started < warmupEnd {
                (countedBefore, attemptedBefore) = (written, attempts)
            } else {
                if durations.isEmpty { countedStart = started }
                durations.append(ended - started)
                countedEnd = ended
            }
        }
        durations.sort()
        func percentile(_ p: Int) -> Double { durations.isEmpty ? 0 : microseconds(durations[durations.count * p / 100]) }
        let counted = written - countedBefore
        let span = Self.seconds(countedEnd - countedStart)
        return Result(
            perSecond: span > 0 ? Double(counted) / span : 0, failed: attempts - attemptedBefore - counted,
            p50Microseconds: percentile(50), p99Microseconds: percentile(99))
    }

    private static func seconds(_ duration: Duration) -> Double {
        microseconds(duration) / 1e6
    }

    private static func microseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
    }
}
