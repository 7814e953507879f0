import DiscountStore
import Logging
import PostgresNIO

/// One write's transaction: the statements of the write, then one INSERT of
/// the change-log rows it noted, then COMMIT. The log and the write commit
/// together or not at all, so the feed never shows a change that did not
/// happen nor misses one that did.
struct WriteTransaction {
    let connection: PostgresConnection
    let logger: Logger
    private(set) var changes: [ChangeRow] = []

    /// Runs `body` between BEGIN and COMMIT on `connection`; ROLLBACK when it throws.
    nonisolated(nonsending) static func run<T>(
        on connection: PostgresConnection, logger: Logger, _ body: (inout WriteTransaction) async throws -> T
    ) async throws -> T {
        try await connection.query("BEGIN", logger: logger)
        var transaction = WriteTransaction(connection: connection, logger: logger)
        do {
            let value = try await body(&transaction)
            try await transaction.logChanges()
            try await connection.query("COMMIT", logger: logger)
            return value
        } catch {
            // A connection that cannot even roll back is closed by the pool.
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// Every row of `query`.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await collect(connection.query(query, logger: logger))
    }

    /// Notes that this write changed an entity; logged just before COMMIT.
    mutating func changed(_ kind: StoreChange.Kind, _ projectID: String, _ id: String, key: String? = nil, version: Int64 = 0) {
        changes.append(ChangeRow(kind: kind, projectID: projectID, id: id, key: key, version: version))
    }

    private func logChanges() async throws {
        guard !changes.isEmpty else { return }
        try await rows(ChangeRow.insert(changes))
    }
}

/// A change-log row before it is written.
struct ChangeRow: Sendable {
    var kind: StoreChange.Kind
    var projectID: String
    var id: String
    var key: String?
    var version: Int64

    /// One INSERT for all of `rows`, so the doorbell trigger fires once.
    static func insert(_ rows: [ChangeRow]) -> PostgresQuery {
        let kinds = rows.map(\.kind.rawValue)
        let projects = rows.map(\.projectID)
        let ids = rows.map(\.id)
        let keys = NullableArray(rows.map(\.key))
        let versions = rows.map(\.version)
        return """
            INSERT INTO change_log (kind, project_id, entity_id, entity_key, version)
            SELECT * FROM unnest(\(kinds), \(projects), \(ids), \(keys), \(versions))
            """
    }
}
