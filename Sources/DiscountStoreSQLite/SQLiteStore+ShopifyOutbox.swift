import DiscountCore
import DiscountStore

private enum SQL {
    static let updateCode = """
        UPDATE agent_codes SET sync_status = ?2, sync_error = ?3, shopify_discount_id = ?4, sync_attempts = ?5 WHERE id = ?1
        """
    static let schedule = """
        INSERT INTO shopify_outbox (agent_code_id, project_id, enqueued_at, next_attempt_at, attempts)
        SELECT id, project_id, ?2, ?2, 1 FROM agent_codes WHERE id = ?1
        ON CONFLICT (agent_code_id) DO UPDATE SET next_attempt_at = excluded.next_attempt_at, attempts = attempts + 1
        """
    static let dequeue = "DELETE FROM shopify_outbox WHERE agent_code_id = ?1"
    static let due = """
        SELECT agent_code_id, project_id, attempts, next_attempt_at FROM shopify_outbox
        WHERE next_attempt_at <= ?1 ORDER BY next_attempt_at LIMIT ?2
        """
    static let nextDue = "SELECT min(next_attempt_at) FROM shopify_outbox"
    static let depth = "SELECT count(*) FROM shopify_outbox"
    static let requeue = """
        INSERT INTO shopify_outbox (agent_code_id, project_id, enqueued_at, next_attempt_at)
        SELECT id, project_id, ?2, ?2 FROM agent_codes WHERE project_id = ?1 AND sync_status != 'synced'
        ON CONFLICT (agent_code_id) DO UPDATE SET next_attempt_at = excluded.next_attempt_at
        """
    static let credentials = """
        SELECT project_id, shop_domain, access_token, granted_scopes, updated_at FROM shopify_credentials WHERE project_id = ?1
        """
    static let saveCredentials = """
        INSERT INTO shopify_credentials (project_id, shop_domain, access_token, granted_scopes, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (project_id) DO UPDATE SET shop_domain = excluded.shop_domain, access_token = excluded.access_token,
            granted_scopes = excluded.granted_scopes, updated_at = excluded.updated_at
        """
}

extension SQLiteStore {
    public func recordSyncOutcome(codeID: Int64, state: ShopifySyncState, retryAt: Instant?) async throws {
        try await write { db in
            try db.withStatement(SQL.updateCode) { s in
                try s.bindAll(codeID, state.status.rawValue, state.error?.rawValue, state.shopifyDiscountID, state.attempts)
                try s.run()
            }
            try db.withStatement(retryAt == nil ? SQL.dequeue : SQL.schedule) { s in
                try s.bind(1, codeID)
                if let retryAt { try s.bind(2, retryAt) }
                try s.run()
            }
        }
    }

    public func dueOutbox(now: Instant, limit: Int) async throws -> [OutboxEntry] {
        try read { db in
            try db.withStatement(SQL.due) { s in
                try s.bindAll(now, limit)
                var entries: [OutboxEntry] = []
                while try s.step() {
                    entries.append(
                        OutboxEntry(
                            codeID: s.int64(0), projectID: s.string(1), attempts: s.int64(2), nextAttemptAt: s.instant(3)))
                }
                return entries
            }
        }
    }

    public func nextOutboxDue() async throws -> Instant? {
        try read { db in
            try db.withStatement(SQL.nextDue) { s in try s.step() ? s.optionalInstant(0) : nil }
        }
    }

    public func outboxDepth() async throws -> Int64 {
        try read { db in try db.scalarInt64(SQL.depth) }
    }

    public func requeueUnsynced(projectID: String, at: Instant) async throws -> Int64 {
        try await write { db in try Self.requeueUnsynced(projectID: projectID, at: at, db) }
    }

    private static func requeueUnsynced(projectID: String, at: Instant, _ db: SQLiteConnection) throws -> Int64 {
        try db.withStatement(SQL.requeue) { s in
            try s.bindAll(projectID, at)
            try s.run()
            return Int64(s.changes)
        }
    }

    public func shopifyCredentials(projectID: String) async throws -> ShopifyCredentials? {
        try read { db in
            try db.withStatement(SQL.credentials) { s in
                try s.bind(1, projectID)
                guard try s.step() else { return nil }
                return ShopifyCredentials(
                    projectID: s.string(0), shopDomain: s.string(1), accessToken: s.string(2),
                    grantedScopes: s.string(3).split(separator: " ").map(String.init), updatedAt: s.instant(4))
            }
        }
    }

    public func saveShopifyCredentials(
        _ credentials: ShopifyCredentials, requeueAt: Instant, options: WriteOptions<Int64>
    ) async throws -> Int64 {
        try await write(options: options) { db in
            do {
                try db.withStatement(SQL.saveCredentials) { s in
                    try s.bindAll(
                        credentials.projectID, credentials.shopDomain, credentials.accessToken,
                        credentials.grantedScopes.joined(separator: " "), credentials.updatedAt)
                    try s.run()
                }
            } catch let error as SQLiteError where error.isForeignKeyViolation {
                throw StoreError.failure("project \(credentials.projectID) does not exist")
            }
            return try Self.requeueUnsynced(projectID: credentials.projectID, at: requeueAt, db)
        }
    }
}
