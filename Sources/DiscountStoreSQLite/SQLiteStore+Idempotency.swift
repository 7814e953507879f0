import DiscountCore
import DiscountStore

private enum SQL {
    static let byKey = """
        SELECT \(SQLiteRows.idempotencyColumns) FROM idempotency_keys WHERE project_id = ?1 AND key = ?2
        """
    /// Keeps a live record; replaces one past its retention (the key may be
    /// used afresh once the first answer has expired).
    static let insertUnlessLive = """
        INSERT INTO idempotency_keys (\(SQLiteRows.idempotencyColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        ON CONFLICT (project_id, key) DO UPDATE SET
            method = excluded.method, request_hash = excluded.request_hash,
            response = excluded.response, created_at = excluded.created_at
        WHERE idempotency_keys.created_at <= excluded.created_at - ?7
        """
    static let checkpointByKey = """
        SELECT project_id, key, method, request_hash, processed, tally, updated_at
        FROM bulk_checkpoints WHERE project_id = ?1 AND key = ?2
        """
    static let saveCheckpoint = """
        INSERT INTO bulk_checkpoints (project_id, key, method, request_hash, processed, tally, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
        ON CONFLICT (project_id, key) DO UPDATE SET
            processed = excluded.processed, tally = excluded.tally, updated_at = excluded.updated_at
        """
    static let dropCheckpoint = "DELETE FROM bulk_checkpoints WHERE project_id = ?1 AND key = ?2"
    static let purgeCheckpoints = "DELETE FROM bulk_checkpoints WHERE updated_at < ?1"
    /// Oldest first, along the by-age index, a bounded number per transaction.
    static let purge = """
        DELETE FROM idempotency_keys WHERE rowid IN (
            SELECT rowid FROM idempotency_keys WHERE created_at < ?1 ORDER BY created_at LIMIT ?2)
        """
}

extension SQLiteStore {
    public func idempotencyRecord(projectID: String, key: String) async throws -> IdempotencyRecord? {
        try read { db in
            try Self.idempotencyRecord(projectID: projectID, key: key, db)
        }
    }

    public func saveIdempotencyRecord(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await write { db in try Self.saveIdempotencyRecord(record, db) }
    }

    static func saveIdempotencyRecord(_ record: IdempotencyRecord, _ db: SQLiteConnection) throws -> IdempotencyRecord {
        do {
            try db.withStatement(SQL.insertUnlessLive) { s in
                try s.bindAll(
                    record.projectID, record.key, record.method, record.requestHash, record.response, record.createdAt,
                    IdempotencyRecord.retentionSeconds * 1_000_000)
                try s.run()
            }
        } catch let error as SQLiteError where error.isForeignKeyViolation {
            throw StoreError.failure("project \(record.projectID) does not exist")
        }
        guard let kept = try Self.idempotencyRecord(projectID: record.projectID, key: record.key, db) else {
            throw StoreError.failure("idempotency record \(record.key) vanished")
        }
        return kept
    }

    public func bulkCheckpoint(projectID: String, key: String) async throws -> BulkCheckpoint? {
        try read { db in
            try db.withStatement(SQL.checkpointByKey) { s in
                try s.bindAll(projectID, key)
                guard try s.step() else { return nil }
                return BulkCheckpoint(
                    projectID: s.string(0), key: s.string(1), method: s.string(2), requestHash: s.string(3),
                    processed: s.int64(4), tally: s.bytes(5), updatedAt: Instant(microseconds: s.int64(6)))
            }
        }
    }

    static func saveBulkCheckpoint(_ checkpoint: BulkCheckpoint, _ db: SQLiteConnection) throws {
        try db.withStatement(SQL.saveCheckpoint) { s in
            try s.bindAll(
                checkpoint.projectID, checkpoint.key, checkpoint.method, checkpoint.requestHash, checkpoint.processed,
                checkpoint.tally, checkpoint.updatedAt)
            try s.run()
        }
    }

    public func finishBulk(_ record: IdempotencyRecord) async throws -> IdempotencyRecord {
        try await write { db in
            let kept = try Self.saveIdempotencyRecord(record, db)
            try db.withStatement(SQL.dropCheckpoint) { s in
                try s.bindAll(record.projectID, record.key)
                try s.run()
            }
            return kept
        }
    }

    /// The record under `key` that is still live at `now`, if any.
    static func liveIdempotencyRecord(
        projectID: String, key: String, at now: Instant, _ db: SQLiteConnection
    ) throws -> IdempotencyRecord? {
        guard let record = try idempotencyRecord(projectID: projectID, key: key, db), record.isLive(at: now) else { return nil }
        return record
    }

    private static func idempotencyRecord(projectID: String, key: String, _ db: SQLiteConnection) throws -> IdempotencyRecord? {
        try db.withStatement(SQL.byKey) { s in
            try s.bindAll(projectID, key)
            return try s.step() ? SQLiteRows.idempotencyRecord(s) : nil
        }
    }

    public func purgeIdempotencyRecords(createdBefore cutoff: Instant, limit: Int) async throws -> Int {
        try await write(weight: limit, freesSpace: true) { db in
            try db.withStatement(SQL.purge) { s in
                try s.bindAll(cutoff, Int64(limit))
                try s.run()
            }
            let purged = db.changes
            // Few and small: an abandoned batch's checkpoint goes with the records of its day.
            try db.withStatement(SQL.purgeCheckpoints) { s in
                try s.bind(1, cutoff)
                try s.run()
            }
            return purged
        }
    }
}
