import DiscountCore
import DiscountStore
import NIOCore
import PostgresNIO

/// The PostgreSQL end of `discountd copy-store`: rows another backend kept,
/// converted to this schema's column types and inserted a chunk per
/// statement. Every table has a key and every insert skips rows whose key is
/// there already, so a copy that stopped can simply run again: it skips the
/// tables a progress table marks done and re-reads the one it was in.
public struct PostgresCopyTarget: Sendable {
    let store: PostgresStore

    public init(store: PostgresStore) { self.store = store }

    /// Where a copy into this database has got to: the source it is from and
    /// the tables it finished; nil when no copy has begun here.
    public func progress() async throws -> (source: String, done: Set<String>, intoEmpty: Bool)? {
        let exists = try await store.rows("SELECT to_regclass('store_copy_progress') IS NOT NULL").first?.decode(Bool.self)
        guard exists == true else { return nil }
        let rows = try await store.rows("SELECT table_name, source, done FROM store_copy_progress").map {
            try $0.decode((String, String, Bool).self)
        }
        // The row named '' says where the copy is from and (its `done`)
        // whether it began into an empty store; the others, which tables it finished.
        guard let head = rows.first(where: { $0.0.isEmpty }) else { return nil }
        return (head.1, Set(rows.filter { !$0.0.isEmpty && $0.2 }.map(\.0)), head.2)
    }

    /// Tables (of `tables`) holding rows, besides the default project a new
    /// store starts with.
    public func nonEmptyTables(_ tables: [String]) async throws -> [String] {
        var filled: [String] = []
        for table in tables {
            let condition = table == "projects" ? " WHERE id <> 'default'" : ""
            let any = try await store.rows(
                PostgresQuery(unsafeSQL: "SELECT EXISTS (SELECT 1 FROM \(try Self.checked(table))\(condition))"))
            if try any.first?.decode(Bool.self) == true { filled.append(table) }
        }
        return filled
    }

    /// Records that a copy from `source` begins. Into an empty store the
    /// default project is dropped first, so the source's (its creation time)
    /// is the one copied.
    public func begin(source: String, replacingDefaultProject: Bool) async throws {
        try await store.write { transaction in
            try await transaction.rows(
                """
                CREATE TABLE IF NOT EXISTS store_copy_progress (
                    table_name text NOT NULL PRIMARY KEY,
                    source     text NOT NULL,
                    done       boolean NOT NULL DEFAULT false,
                    updated_at timestamptz NOT NULL DEFAULT now()
                )
                """)
            try await transaction.rows(
                """
                INSERT INTO store_copy_progress (table_name, source, done) VALUES ('', \(source), \(replacingDefaultProject))
                ON CONFLICT (table_name) DO UPDATE SET source = excluded.source, done = false
                """)
            if replacingDefaultProject { try await transaction.rows("DELETE FROM projects WHERE id = 'default'") }
        }
    }

    public func markDone(_ table: String, source: String) async throws {
        try await store.rows(
            """
            INSERT INTO store_copy_progress (table_name, source, done) VALUES (\(table), \(source), true)
            ON CONFLICT (table_name) DO UPDATE SET done = true, updated_at = now()
            """)
    }

    /// Inserts `rows` (values of `columns`, in order) into `table` in one
    /// statement, skipping rows whose key is there; returns how many went in.
    @discardableResult
    public func insert(_ rows: [[StoredValue]], into table: String, columns: [String]) async throws -> Int {
        guard !rows.isEmpty else { return 0 }
        let types = try await columnTypes(of: table)
        var binds = PostgresBindings(capacity: columns.count)
        var casts: [String] = []
        for (index, column) in columns.enumerated() {
            guard let type = types[column] else { throw StoreError.failure("\(table) has no column \(column) here") }
            let values = rows.map { $0[index] }
            try Self.appendArray(values, as: type, column: "\(table).\(column)", to: &binds)
            casts.append("$\(index + 1)::\(type)[]")
        }
        let list = try columns.map(Self.checked).joined(separator: ", ")
        let inserted = try await store.rows(
            PostgresQuery(
                unsafeSQL: """
                    WITH added AS (
                        INSERT INTO \(try Self.checked(table)) (\(list))
                        SELECT * FROM unnest(\(casts.joined(separator: ", ")))
                        ON CONFLICT DO NOTHING
                        RETURNING 1
                    )
                    SELECT count(*) FROM added
                    """, binds: binds))
        return Int(try inserted.first?.decode(Int64.self) ?? 0)
    }

    public func count(of table: String) async throws -> Int64 {
        try await store.rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(try Self.checked(table))")).first?
            .decode(Int64.self) ?? 0
    }

    /// After the rows came with their own ids: the identity columns go on from
    /// past the highest, and the progress table goes.
    public func finish() async throws {
        for (table, column) in [
            ("agents", "id"), ("campaigns", "id"), ("agent_codes", "id"), ("voucher_pools", "pool_key"), ("redemptions", "id"),
        ] {
            try await store.rows(
                PostgresQuery(
                    unsafeSQL: """
                        SELECT setval(pg_get_serial_sequence('\(table)', '\(column)'), coalesce(max(\(column)), 0) + 1, false) FROM \(table)
                        """))
        }
        try await store.rows("DROP TABLE IF EXISTS store_copy_progress")
    }

    // MARK: Pieces

    /// The table's columns and their types, as `format_type` names them.
    private func columnTypes(of table: String) async throws -> [String: String] {
        let rows = try await store.rows(
            """
            SELECT a.attname::text, format_type(a.atttypid, NULL)
            FROM pg_attribute a WHERE a.attrelid = to_regclass(\(table)) AND a.attnum > 0 AND NOT a.attisdropped
            """)
        return try Dictionary(uniqueKeysWithValues: rows.map { try $0.decode((String, String).self) })
    }

    /// One column's values as an array parameter of its type: instants are
    /// microseconds, booleans 0 or 1, as SQLite keeps them.
    private static func appendArray(
        _ values: [StoredValue], as type: String, column: String, to binds: inout PostgresBindings
    ) throws {
        func mismatch(_ value: StoredValue) -> StoreError {
            StoreError.failure("\(column): cannot copy \(value) into a \(type) column")
        }
        switch type {
        case "text":
            binds.append(
                NullableArray(
                    try values.map { value -> String? in
                        switch value {
                        case .null: return nil
                        case .text(let text): return text
                        default: throw mismatch(value)
                        }
                    }))
        case "bigint", "integer", "smallint":
            let integers = try values.map { value -> Int64? in
                switch value {
                case .null: return nil
                case .integer(let integer): return integer
                default: throw mismatch(value)
                }
            }
            switch type {
            case "bigint": binds.append(NullableArray(integers))
            case "integer": binds.append(NullableArray(integers.map { $0.map { Int32(truncatingIfNeeded: $0) } }))
            default: binds.append(NullableArray(integers.map { $0.map { Int16(truncatingIfNeeded: $0) } }))
            }
        case "boolean":
            binds.append(
                NullableArray(
                    try values.map { value -> Bool? in
                        switch value {
                        case .null: return nil
                        case .integer(let integer): return integer != 0
                        default: throw mismatch(value)
                        }
                    }))
        case "double precision":
            binds.append(
                NullableArray(
                    try values.map { value -> Double? in
                        switch value {
                        case .null: return nil
                        case .real(let real): return real
                        case .integer(let integer): return Double(integer)
                        default: throw mismatch(value)
                        }
                    }))
        case "timestamp with time zone":
            binds.append(
                NullableArray(
                    try values.map { value -> Instant? in
                        switch value {
                        case .null: return nil
                        case .integer(let microseconds): return Instant(microseconds: microseconds)
                        default: throw mismatch(value)
                        }
                    }))
        case "bytea":
            binds.append(
                NullableArray(
                    try values.map { value -> ByteBuffer? in
                        switch value {
                        case .null: return nil
                        case .blob(let bytes): return ByteBuffer(bytes: bytes)
                        case .text(let text): return ByteBuffer(string: text)
                        default: throw mismatch(value)
                        }
                    }))
        default:
            throw StoreError.failure("\(column): cannot copy into a \(type) column")
        }
    }

    /// Table and column names go into SQL text: only plain identifiers.
    private static func checked(_ name: String) throws -> String {
        guard !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLowercase || $0.isNumber)) }) else {
            throw StoreError.failure("not a table or column name: \(name)")
        }
        return name
    }
}
