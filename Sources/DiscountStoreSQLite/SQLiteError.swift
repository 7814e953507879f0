import CSQLite
import DiscountCore
import DiscountStore

#if canImport(Glibc)
import Glibc
#endif

/// A failed SQLite call: the extended result code and SQLite's message.
struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// Extended result code (e.g. SQLITE_CONSTRAINT_UNIQUE).
    var code: Int32
    var message: String

    init(code: Int32, message: String) {
        self.code = code
        self.message = message
    }

    /// The operating system's errno behind an I/O failure, when SQLite kept one.
    var systemErrno: Int32 = 0

    /// The last error on `db`, or a generic one for `code` when `db` has none.
    init(code: Int32, db: OpaquePointer?) {
        let extended = db.map { sqlite3_extended_errcode($0) } ?? code
        let resolved = (extended & 0xff) == (code & 0xff) ? extended : code
        let text = db.flatMap { sqlite3_errmsg($0).map { String(cString: $0) } } ?? String(cString: sqlite3_errstr(code))
        self.init(code: resolved, message: text)
        systemErrno = db.map { sqlite3_system_errno($0) } ?? 0
    }

    /// SQLITE_FULL, or an I/O error the kernel gave as "no space" or "quota exceeded".
    var isDiskFull: Bool {
        primaryCode == SQLITE_FULL
            || (primaryCode == SQLITE_IOERR && (systemErrno == ENOSPC || systemErrno == EDQUOT))
    }

    var primaryCode: Int32 { code & 0xff }

    // Extended codes are macros over expressions, which Swift does not import.
    static let constraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)
    static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
    static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)

    /// A UNIQUE or PRIMARY KEY constraint refused the row.
    var isUniqueViolation: Bool {
        code == Self.constraintUnique || code == Self.constraintPrimaryKey
    }

    var isForeignKeyViolation: Bool { code == Self.constraintForeignKey }

    /// Whether the failed constraint involves `column` (SQLite names the columns:
    /// "UNIQUE constraint failed: discount_codes.project_id, discount_codes.canonical_code").
    func involves(_ column: String) -> Bool { message.contains(column) }

    var description: String { "sqlite error \(code): \(message)" }
}

extension StoreError {
    /// Whatever an operation threw, as the store's error: `StoreError` passes
    /// through, cancellation passes through, anything else is a `.failure`.
    static func wrapping(_ error: any Error) -> any Error {
        switch error {
        case let error as StoreError: error
        case let error as CancellationError: error
        case let error as SQLiteError where error.isDiskFull: StoreError.storageFull
        case let error as SQLiteError: StoreError.failure("sqlite: \(error.message) (code \(error.code))")
        default: StoreError.failure(String(describing: error))
        }
    }
}
