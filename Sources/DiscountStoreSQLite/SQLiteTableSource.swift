import CSQLite
import DiscountStore
import Synchronization

/// A SQLite store's tables read out whole for `discountd copy-store`: one
/// read-only connection, one read transaction for the whole copy (every
/// table from the same moment), each table in key order a chunk at a time
/// (keyset pages, so a deep chunk costs what the first does).
public final class SQLiteTableSource: StoreTableSource {
    /// The tables and their keys: nil for a rowid table (paged by rowid),
    /// else the primary-key columns of a WITHOUT ROWID table. Referenced
    /// tables come first. `redemptions`, the one table with no key of its
    /// own, gives its rowid as `id`, so a resumed copy can tell what it has.
    static let tables: [(name: String, key: [String]?)] = [
        ("projects", nil), ("tokens", nil), ("price_rules", ["project_id", "id"]), ("discount_codes", nil),
        ("redemptions", nil), ("idempotency_keys", nil), ("bulk_checkpoints", ["project_id", "key"]),
        ("voucher_pools", nil), ("voucher_codes", ["pool_key", "seq"]), ("voucher_pool_used_by", ["pool_key", "used_by"]),
        ("agents", nil), ("campaigns", nil), ("agent_codes", nil), ("shopify_outbox", nil), ("shopify_credentials", nil),
        ("commission_orders", ["project_id", "order_id"]), ("shopify_webhooks", ["project_id", "webhook_id"]),
    ]

    private let connection: Mutex<SQLiteConnection>
    public let path: String

    /// Brings the file's schema up to date (a copy reads what this build
    /// writes), then opens it read-only and begins the read transaction.
    public init(path: String) async throws {
        try await SQLiteStore.open(path: path).close()
        let connection = try SQLiteConnection(path: path, role: .reader)
        try connection.execute("BEGIN")
        // A read transaction starts at its first read: this one.
        _ = try connection.scalarInt64("SELECT count(*) FROM projects")
        self.connection = Mutex(connection)
        self.path = path
        let present = try Set(names("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        let known = Set(Self.tables.map(\.name))
        guard present == known else {
            throw StoreError.failure(
                "the copy does not know the tables \(present.subtracting(known).sorted()) (or misses \(known.subtracting(present).sorted()))"
            )
        }
    }

    deinit { connection.withLock { $0.close() } }

    public var tableNames: [String] { Self.tables.map(\.name) }

    public func columns(of table: String) throws -> [String] {
        let columns = try names("SELECT name FROM pragma_table_info('\(try spec(table).name)') ORDER BY cid")
        return table == "redemptions" ? ["id"] + columns : columns
    }

    public func count(of table: String) throws -> Int64 {
        try connection.withLock { try $0.scalarInt64("SELECT count(*) FROM \(try spec(table).name)") }
    }

    public func forEachChunk(of table: String, chunk: Int, _ body: ([[StoredValue]]) async throws -> Void) async throws {
        let (name, key) = try spec(table)
        let columns = try names("SELECT name FROM pragma_table_info('\(name)') ORDER BY cid")
        let list = columns.joined(separator: ", ")
        // Rowid tables: the rowid leads (the page's key; for redemptions also a column).
        let keyColumns = key ?? ["rowid"]
        let select = key == nil ? "SELECT rowid, \(list) FROM \(name)" : "SELECT \(list) FROM \(name)"
        let order = " ORDER BY \(keyColumns.joined(separator: ", ")) LIMIT \(max(1, chunk))"
        let keyPositions = key.map { $0.map { columns.firstIndex(of: $0)! } } ?? [0]
        let keyTuple = "(\(keyColumns.joined(separator: ", ")))"
        let placeholders = "(\(keyColumns.indices.map { "?\($0 + 1)" }.joined(separator: ", ")))"
        var last: [StoredValue]?
        while true {
            let sql = last == nil ? select + order : "\(select) WHERE \(keyTuple) > \(placeholders)\(order)"
            let rows: [[StoredValue]] = try connection.withLock { connection in
                try connection.withStatement(sql) { statement in
                    if let last {
                        for (index, value) in last.enumerated() { try statement.bind(Int32(index + 1), value) }
                    }
                    var rows: [[StoredValue]] = []
                    while try statement.step() {
                        rows.append((0..<Int32(sqlite3_column_count(statement.handle))).map { Self.value(statement, $0) })
                    }
                    return rows
                }
            }
            guard let final = rows.last else { return }
            last = keyPositions.map { final[$0] }
            // The rowid leads every row of a rowid table; only redemptions keep it (as `id`).
            try await body(key == nil && name != "redemptions" ? rows.map { Array($0.dropFirst()) } : rows)
            if rows.count < chunk { return }
        }
    }

    private func spec(_ table: String) throws -> (name: String, key: [String]?) {
        guard let spec = Self.tables.first(where: { $0.name == table }) else { throw StoreError.failure("no table \(table)") }
        return spec
    }

    private func names(_ sql: String) throws -> [String] {
        try connection.withLock { connection in
            try connection.withStatement(sql) { statement in
                var names: [String] = []
                while try statement.step() { names.append(statement.string(0)) }
                return names
            }
        }
    }

    private static func value(_ statement: SQLiteStatement, _ column: Int32) -> StoredValue {
        switch sqlite3_column_type(statement.handle, column) {
        case SQLITE_INTEGER: .integer(statement.int64(column))
        case SQLITE_FLOAT: .real(statement.double(column))
        case SQLITE_TEXT: .text(statement.string(column))
        case SQLITE_BLOB: .blob(statement.bytes(column))
        default: .null
        }
    }

}
