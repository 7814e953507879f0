import CSQLite
import CSQLiteTuning
import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Foundation
import SystemRandom

/// The floor under every durable-write figure: discount-code rows inserted
/// straight through SQLite's C API, one thread, 256 rows per transaction,
/// into a file with the store's own schema (made by `SQLiteStore.open`) and
/// settings (WAL, synchronous=FULL, 4 KiB pages, the same process settings).
/// No writer thread, no jobs, no tasks: how far the store is from the engine
/// for the same rows.
enum BareSQLiteFloor {
    static let rowsPerTransaction = 256

    /// Rows per second over `seconds`, after a warm-up.
    static func run(directory: URL, seconds: Double, warmup: Double) async throws -> Double {
        let path = directory.appendingPathComponent("discountd.sqlite").path
        let store = try SQLiteStore.open(path: path, synchronous: .full)
        let rule = PriceRule(
            id: TimeOrderedID.make(), projectID: Project.defaultID, title: "floor", valueKind: .percentage, value: 10,
            startsAt: .now(), createdAt: .now(), updatedAt: .now())
        try await store.insertPriceRule(rule)
        await store.close()

        _ = discountd_sqlite_configure()
        var db: OpaquePointer?
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw StoreError.failure("cannot open \(path)")
        }
        defer { sqlite3_close_v2(db) }
        for pragma in [
            "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON",
            "PRAGMA cache_size = -65536", "PRAGMA temp_store = MEMORY",
        ] {
            sqlite3_exec(db, pragma, nil, nil, nil)
        }
        var insert: OpaquePointer?
        let sql = """
            INSERT INTO discount_codes (project_id, id, price_rule_id, code, canonical_code, use_with_other, usage_limit,
                usage_count, created_at, updated_at, version)
            VALUES (?1, ?2, ?3, ?4, ?5, 0, NULL, 0, ?6, ?6, 1)
            """
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &insert, nil) == SQLITE_OK else {
            throw StoreError.failure(String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(insert) }

        var rows = 0
        var attempts = 0
        var counted = 0
        let start = ContinuousClock.now
        let warmupEnd = start + .nanoseconds(Int64(warmup * 1e9))
        let end = warmupEnd + .nanoseconds(Int64(seconds * 1e9))
        while ContinuousClock.now < end {
            sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil)
            let now = Instant.now().microseconds
            for _ in 0..<rowsPerTransaction {
                // Code text like the store's and the daemon's benchmark creates (a name and a
                // count): random text would put each row on a different index page and
                // measure that instead (about 40k rows/s here, a quarter of this).
                let code = "STORE-BENCH-\(attempts)"
                attempts += 1
                bind(insert, 1, Project.defaultID)
                bind(insert, 2, TimeOrderedID.make())
                bind(insert, 3, rule.id)
                bind(insert, 4, code)
                bind(insert, 5, code)
                sqlite3_bind_int64(insert, 6, now)
                if sqlite3_step(insert) != SQLITE_DONE {
                    sqlite3_reset(insert)
                    continue
                }
                sqlite3_reset(insert)
                rows += 1
            }
            guard sqlite3_exec(db, "COMMIT", nil, nil, nil) == SQLITE_OK else {
                throw StoreError.failure(String(cString: sqlite3_errmsg(db)))
            }
            if ContinuousClock.now < warmupEnd { counted = rows }
        }
        return Double(rows - counted) / seconds
    }

    private static func bind(_ statement: OpaquePointer?, _ index: Int32, _ text: String) {
        var text = text
        text.withUTF8 { bytes in
            _ = sqlite3_bind_text(
                statement, index, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                Int32(bytes.count), unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self))
        }
    }
}
