import CSQLite
import DiscountCore
import DiscountStore

/// One prepared statement of one connection. Parameters and columns are
/// 1-based and 0-based as in SQLite's C API. Not thread-safe: it belongs to
/// its connection and is used by whoever holds that connection.
final class SQLiteStatement {
    let handle: OpaquePointer
    private let db: OpaquePointer

    init(handle: OpaquePointer, db: OpaquePointer) {
        self.handle = handle
        self.db = db
    }

    deinit { sqlite3_finalize(handle) }

    // MARK: Binding

    /// SQLite copies the bytes it is given (SQLITE_TRANSIENT).
    static var transient: sqlite3_destructor_type {
        unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)
    }

    /// Binds `value` to parameter `index`; nil binds NULL.
    func bind(_ index: Int32, _ value: some SQLiteBindable) throws {
        try check(value.bind(to: handle, at: index))
    }

    /// Binds `values` to parameters 1, 2, 3 and on, in order.
    func bindAll<each Value: SQLiteBindable>(_ values: repeat each Value) throws {
        var index: Int32 = 0
        for value in repeat each values {
            index += 1
            try check(value.bind(to: handle, at: index))
        }
    }

    /// Binds `value` without copying it (SQLITE_STATIC), valid only while
    /// `body` runs: step and rewind the statement inside `body`. For hot loops.
    func withBorrowedText<R>(_ index: Int32, _ value: String, _ body: () throws -> R) throws -> R {
        var value = value
        return try value.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else {
                try check(sqlite3_bind_text(handle, index, "", 0, Self.transient))
                return try body()
            }
            let rc = base.withMemoryRebound(to: CChar.self, capacity: bytes.count) {
                sqlite3_bind_text(handle, index, $0, Int32(bytes.count), nil)  // nil is SQLITE_STATIC
            }
            try check(rc)
            return try body()
        }
    }

    // MARK: Running

    /// Steps once: true when a row is ready, false when the statement is done.
    @discardableResult
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        case let rc: throw SQLiteError(code: rc, db: db)
        }
    }

    /// Steps to the end, ignoring rows.
    func run() throws {
        while try step() {}
    }

    /// Ready to run again, with no parameters bound. Ends the statement's read
    /// transaction, so a reader sees the latest commit next time.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Ready to run again with the same bindings (for rebinding every
    /// parameter in a loop without clearing them first).
    func rewind() {
        sqlite3_reset(handle)
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE on this connection.
    var changes: Int { Int(sqlite3_changes64(db)) }

    // MARK: Columns

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func optionalString(_ column: Int32) -> String? {
        isNull(column) ? nil : string(column)
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : int64(column) }

    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    func bool(_ column: Int32) -> Bool { int64(column) != 0 }

    func instant(_ column: Int32) -> Instant { Instant(microseconds: int64(column)) }

    func optionalInstant(_ column: Int32) -> Instant? { optionalInt64(column).map(Instant.init(microseconds:)) }

    func bytes(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let blob = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }

    private func check(_ rc: Int32) throws {
        if rc != SQLITE_OK { throw SQLiteError(code: rc, db: db) }
    }
}
