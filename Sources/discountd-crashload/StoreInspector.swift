import CSQLite

/// Read-only SQL on the daemon's data file, beside the running daemon (WAL
/// lets a reader see the last committed state without disturbing it). All
/// queries run in one read transaction, so they see one state.
final class StoreInspector {
    private var db: OpaquePointer?

    init(path: String) throws {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw LoadFailure("cannot open \(path): \(message)")
        }
        sqlite3_busy_timeout(db, 5_000)
        try rows("BEGIN") { _ in }
        try rows("SELECT count(*) FROM sqlite_schema") { _ in }  // starts the read snapshot
    }

    deinit {
        _ = try? rows("COMMIT") { _ in }
        sqlite3_close(db)
    }

    /// Calls `each` with every row's columns as text (NULL as nil).
    func rows(_ sql: String, _ each: ([String?]) throws -> Void) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw LoadFailure("\(sql): \(String(cString: sqlite3_errmsg(db)))")
        }
        defer { sqlite3_finalize(statement) }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw LoadFailure("\(sql): \(String(cString: sqlite3_errmsg(db)))") }
            let columns = (0..<sqlite3_column_count(statement)).map { index -> String? in
                sqlite3_column_text(statement, index).map { String(cString: $0) }
            }
            try each(columns)
        }
    }

    func scalar(_ sql: String) throws -> String? {
        var value: String??
        try rows(sql) { if value == nil { value = .some($0.first ?? nil) } }
        return value ?? nil
    }
}
