import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    public func idempotencyRecord(projectID: String, key: String) async throws -> IdempotencyRecord? {
        try await rows(
            """
            SELECT \(unescaped: PostgresRows.idempotencyColumns) FROM idempotency_keys
            WHERE project_id = \(projectID) AND key = \(key)
            """
        ).first.map { try $0.read(PostgresRows.idempotencyRecord) }
    }

    public func saveIdempotencyRecord(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await write { transaction in try await Self.saveIdempotencyRecord(record, &transaction) }
    }

    /// Keeps a live record; replaces one past its retention (the key may be
    /// used afresh once the first answer has expired). Racing saves of one
    /// key (on any daemon) keep one: the later INSERT waits for the earlier's
    /// commit, then finds its row. Not in the change log: no daemon caches
    /// records (each reads them in the write they guard).
    static func saveIdempotencyRecord(
        _ record: IdempotencyRecord, _ transaction: inout WriteTransaction
    ) async throws -> IdempotencyRecord {
        let retention = IdempotencyRecord.retentionSeconds * 1_000_000
        do {
            try await transaction.rows(
                """
                INSERT INTO idempotency_keys (\(unescaped: PostgresRows.idempotencyColumns))
                VALUES (\(record.projectID), \(record.key), \(record.method), \(record.requestHash), \(record.response.bytea),
                    \(record.createdAt))
                ON CONFLICT (project_id, key) DO UPDATE SET
                    method = excluded.method, request_hash = excluded.request_hash,
                    response = excluded.response, created_at = excluded.created_at
                WHERE idempotency_keys.created_at <= excluded.created_at - make_interval(secs => \(retention) / 1e6)
                """)
        } catch  where PostgresErrors.isForeignKeyViolation(error) {
            throw StoreError.failure("project \(record.projectID) does not exist")
        }
        guard
            let kept = try await transaction.rows(
                """
                SELECT \(unescaped: PostgresRows.idempotencyColumns) FROM idempotency_keys
                WHERE project_id = \(record.projectID) AND key = \(record.key)
                """
            ).first.map({ try $0.read(PostgresRows.idempotencyRecord) })
        else { throw StoreError.failure("idempotency record \(record.key) vanished") }
        return kept
    }

    public func bulkCheckpoint(projectID: String, key: String) async throws -> BulkCheckpoint? {
        try await rows(
            """
            SELECT project_id, key, method, request_hash, processed, tally, updated_at
            FROM bulk_checkpoints WHERE project_id = \(projectID) AND key = \(key)
            """
        ).first.map { row in
            var r = row.reader()
            return BulkCheckpoint(
                projectID: try r.next(), key: try r.next(), method: try r.next(), requestHash: try r.next(),
                processed: try r.next(), tally: try r.bytes(), updatedAt: try r.next())
        }
    }

    static func saveBulkCheckpoint(_ checkpoint: BulkCheckpoint, _ transaction: WriteTransaction) async throws {
        try await transaction.rows(
            """
            INSERT INTO bulk_checkpoints (project_id, key, method, request_hash, processed, tally, updated_at)
            VALUES (\(checkpoint.projectID), \(checkpoint.key), \(checkpoint.method), \(checkpoint.requestHash),
                \(checkpoint.processed), \(checkpoint.tally.bytea), \(checkpoint.updatedAt))
            ON CONFLICT (project_id, key) DO UPDATE SET
                processed = excluded.processed, tally = excluded.tally, updated_at = excluded.updated_at
            """)
    }

    public func finishBulk(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await write { transaction in
            let kept = try await Self.saveIdempotencyRecord(record, &transaction)
            try await transaction.rows(
                """
                DELETE FROM bulk_checkpoints WHERE project_id = \(record.projectID) AND key = \(record.key)
                """)
            return kept
        }
    }

    /// Oldest first, along the by-age index, a bounded number per
    /// transaction; an abandoned bulk operation's checkpoint goes with the
    /// records of its day. Not logged: an expired record is answered from by
    /// no daemon (each checks the age it reads).
    public func purgeIdempotencyRecords(createdBefore cutoff: Instant, limit: Int) async throws -> Int {
        try await write { transaction in
            let purged =
                try await transaction.rows(
                    """
                    WITH gone AS (
                        DELETE FROM idempotency_keys WHERE (project_id, key) IN (
                            SELECT project_id, key FROM idempotency_keys WHERE created_at < \(cutoff)
                            ORDER BY created_at LIMIT \(Int64(limit)))
                        RETURNING 1)
                    SELECT count(*) FROM gone
                    """
                ).first?.decode(Int64.self) ?? 0
            try await transaction.rows("DELETE FROM bulk_checkpoints WHERE updated_at < \(cutoff)")
            return Int(purged)
        }
    }
}
