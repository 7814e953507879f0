/// One step of `SQLiteSchema.migrations`, run inside the step's transaction.
struct SQLiteMigration: Sendable {
    let apply: @Sendable (SQLiteConnection) throws -> Void

    /// Runs a script of statements.
    static func sql(_ script: String) -> SQLiteMigration {
        SQLiteMigration { try $0.execute(script) }
    }

    /// Replaces CHECK constraints with equivalent ones in the stored table
    /// definitions, the way SQLite documents for changes that leave every
    /// stored row valid and the file format untouched ("ALTER TABLE", section
    /// 7): edit `sqlite_schema` under `writable_schema`, then bump
    /// `schema_version` so every connection reloads it. Instant on a table of
    /// millions of rows, where rebuilding it would take minutes.
    static func rewritingChecks(_ rewrites: [CheckRewrite]) -> SQLiteMigration {
        SQLiteMigration { db in
            let version = try db.scalarInt64("PRAGMA schema_version")
            try db.execute("PRAGMA writable_schema = ON")
            defer { _ = try? db.execute("PRAGMA writable_schema = OFF") }
            for rewrite in rewrites {
                try db.withStatement(
                    "UPDATE sqlite_schema SET sql = replace(sql, ?2, ?3) WHERE type = 'table' AND name = ?1 AND instr(sql, ?2) > 0"
                ) { s in
                    try s.bind(1, rewrite.table)
                    try s.bind(2, rewrite.old)
                    try s.bind(3, rewrite.new)
                    try s.run()
                }
                guard db.changes == 1 else {
                    throw SQLiteError(code: 1, message: "migration: \(rewrite.table) has no `\(rewrite.old)` to rewrite")
                }
            }
            try db.execute("PRAGMA schema_version = \(version + 1)")
        }
    }

    /// `old` (exact text of the table's CREATE statement) becomes `new`.
    struct CheckRewrite: Sendable {
        var table: String
        var old: String
        var new: String
    }
}
