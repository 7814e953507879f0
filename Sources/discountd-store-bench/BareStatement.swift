import CSQLite

/// A value bound to a `BareStatement`'s next parameter.
enum BareValue {
    case text(String)
    case int(Int64)
    case null
}

/// One prepared statement straight on SQLite's C API, for `BareSQLiteFloor`:
/// none of the store's statement cache, binding protocols or error mapping.
final class BareStatement {
    private let handle: OpaquePointer

    init(_ db: OpaquePointer, _ sql: String) throws {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK,
            let statement
        else { throw BareSQLiteError(db) }
        self.handle = statement
    }

    deinit { sqlite3_finalize(handle) }

    /// Runs to completion; false when SQLite refuses (a constraint, say).
    @discardableResult
    func run(_ values: BareValue...) -> Bool {
        bind(values)
        defer { sqlite3_reset(handle) }
        var result = sqlite3_step(handle)
        while result == SQLITE_ROW { result = sqlite3_step(handle) }
        return result == SQLITE_DONE
    }

    /// The first row's columns as integers, up to `limit` rows.
    func integers(_ values: BareValue..., limit: Int = 1) -> [Int64] {
        bind(values)
        defer { sqlite3_reset(handle) }
        var column: [Int64] = []
        while column.count < limit, sqlite3_step(handle) == SQLITE_ROW { column.append(sqlite3_column_int64(handle, 0)) }
        return column
    }

    private func bind(_ values: [BareValue]) {
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            switch value {
            case .text(let text):
                sqlite3_bind_text(
                    handle, index, text, -1, unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self))
            case .int(let number): sqlite3_bind_int64(handle, index, number)
            case .null: sqlite3_bind_null(handle, index)
            }
        }
    }
}

struct BareSQLiteError: Error, CustomStringConvertible {
    let description: String
    init(_ db: OpaquePointer?) { description = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open the database" }
}
