import DiscountCore
import DiscountStore
import Logging
import PostgresNIO

/// Runs one statement of a write's transaction and returns every row.
typealias StatementRunner = (PostgresQuery) async throws -> [PostgresRow]

/// One write's transaction: the statements of the write, then one INSERT of
/// the change-log rows it noted, then COMMIT. The log and the write commit
/// together or not at all, so the feed never shows a change that did not
/// happen nor misses one that did. Idempotency claims (`claim`, `settle`)
/// run in the same transaction, around the write.
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

    // MARK: Idempotency claims

    /// Takes the keys of `claims` (distinct keys) for this transaction, before
    /// the write: a row per key, its answer still empty. A key with a live
    /// record keeps it, and its entry in the answer is that record (the write
    /// must not happen: it is a replay); an expired one is taken over. A key
    /// another transaction (on any daemon) is writing makes this INSERT wait
    /// for its commit, then see its record: one write per key.
    func claim(_ claims: [ClaimRow]) async throws -> [IdempotencyRecord?] {
        guard !claims.isEmpty else { return [] }
        let retention = Double(IdempotencyRecord.retentionSeconds)
        let taken = try await rows(
            """
            WITH claims AS (
                SELECT * FROM unnest(\(claims.map(\.projectID))::text[], \(claims.map(\.key))::text[],
                    \(claims.map(\.method))::text[], \(claims.map(\.requestHash))::text[],
                    \(claims.map(\.createdAt))::timestamptz[]) WITH ORDINALITY
                    AS c (project_id, key, method, request_hash, created_at, ord)
            ),
            claimed AS (
                INSERT INTO idempotency_keys (project_id, key, method, request_hash, response, created_at)
                SELECT project_id, key, method, request_hash, ''::bytea, created_at FROM claims ORDER BY ord
                ON CONFLICT (project_id, key) DO UPDATE SET
                    method = excluded.method, request_hash = excluded.request_hash,
                    response = excluded.response, created_at = excluded.created_at
                WHERE idempotency_keys.created_at <= excluded.created_at - make_interval(secs => \(retention))
                RETURNING project_id, key
            )
            SELECT k.key IS NOT NULL FROM claims c
            LEFT JOIN claimed k ON k.project_id = c.project_id AND k.key = c.key
            ORDER BY c.ord
            """
        ).map { try $0.decode(Bool.self) }
        guard taken.contains(false) else { return claims.map { _ in nil } }
        let used = zip(claims, taken).filter { !$0.1 }.map(\.0)
        let records = try await rows(
            """
            SELECT \(unescaped: PostgresRows.qualified(PostgresRows.idempotencyColumns, "k"))
            FROM unnest(\(used.map(\.projectID))::text[], \(used.map(\.key))::text[]) AS u (project_id, key)
            JOIN idempotency_keys k ON k.project_id = u.project_id AND k.key = u.key
            """
        ).map { try $0.read(PostgresRows.idempotencyRecord) }
        return try zip(claims, taken).map { claim, isTaken in
            if isTaken { return nil }
            guard let record = records.first(where: { $0.projectID == claim.projectID && $0.key == claim.key }) else {
                throw StoreError.failure("idempotency record \(claim.key) vanished")
            }
            return record
        }
    }

    /// After the write: the answers to keep go into their claimed rows; the
    /// claims of writes that keep none (refused, failed) are dropped, so a
    /// retry runs afresh.
    func settle(keep: [IdempotencyRecord], drop: [ClaimRow]) async throws {
        guard !keep.isEmpty || !drop.isEmpty else { return }
        try await rows(
            """
            WITH kept AS (
                UPDATE idempotency_keys k SET response = a.response
                FROM unnest(\(keep.map(\.projectID))::text[], \(keep.map(\.key))::text[],
                    \(keep.map { $0.response.bytea })::bytea[]) AS a (project_id, key, response)
                WHERE k.project_id = a.project_id AND k.key = a.key
            )
            DELETE FROM idempotency_keys
            WHERE (project_id, key) IN (SELECT * FROM unnest(\(drop.map(\.projectID))::text[], \(drop.map(\.key))::text[]))
            """)
    }
}

/// What claiming a key needs, without the answer (whose type varies).
struct ClaimRow: Sendable {
    var projectID: String
    var key: String
    var method: String
    var requestHash: String
    var createdAt: Instant

    init<Result>(_ claim: IdempotencyClaim<Result>) {
        projectID = claim.projectID
        key = claim.key
        method = claim.method
        requestHash = claim.requestHash
        createdAt = claim.createdAt
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
