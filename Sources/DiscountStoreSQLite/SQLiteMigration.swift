import DiscountCore
import DiscountStore

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
                    try s.bindAll(rewrite.table, rewrite.old, rewrite.new)
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

    /// Recomputes `canonical_code` for codes with non-ASCII text: their keys
    /// were upper-cased text, and are now `CodeText.canonical` (NFKC case
    /// folded), so look-alikes collide. ASCII keys are the same either way,
    /// so only the (rare) non-ASCII rows are touched. Two existing codes that
    /// now share a key cannot both have it: the later one keeps its old key
    /// (it stays findable by its exact text, as before).
    static let rekeyingNonASCIICodes = SQLiteMigration { db in
        try rekey(
            db, select: "SELECT project_id, id, code FROM discount_codes WHERE code GLOB '*[^ -~]*' ORDER BY id",
            update: "UPDATE discount_codes SET canonical_code = ?3 WHERE project_id = ?1 AND id = ?2")
        try rekey(
            db,
            select: """
                SELECT pool_key, seq, code FROM voucher_codes WHERE code GLOB '*[^ -~]*' ORDER BY pool_key, seq
                """,
            update: "UPDATE voucher_codes SET canonical_code = ?3 WHERE pool_key = ?1 AND seq = ?2")
    }

    /// Reads every (key 1, key 2, code) row first, then updates each row's
    /// key; a unique-key clash leaves that row as it was.
    private static func rekey(_ db: SQLiteConnection, select: String, update: String) throws {
        let rows: [(String, String, String)] = try db.withStatement(select) { s in
            var rows: [(String, String, String)] = []
            while try s.step() { rows.append((s.string(0), s.string(1), s.string(2))) }
            return rows
        }
        for (first, second, code) in rows {
            do {
                try db.withStatement(update) { s in
                    try s.bindAll(first, second, CodeText.canonical(code))
                    try s.run()
                }
            } catch let error as SQLiteError where error.isUniqueViolation {
                continue
            }
        }
    }
}
