import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    public func recordSyncOutcome(codeID: Int64, state: ShopifySyncState, retryAt: Instant?) async throws {
        try await write { transaction in
            let project = try await transaction.rows(
                """
                UPDATE agent_codes SET sync_status = \(state.status.rawValue), sync_error = \(state.error?.rawValue),
                    shopify_discount_id = \(state.shopifyDiscountID), sync_attempts = \(state.attempts)
                WHERE id = \(codeID) RETURNING project_id, canonical_code
                """
            ).first.map { try $0.decode((String, String).self) }
            if let retryAt {
                try await transaction.rows(
                    """
                    INSERT INTO shopify_outbox (agent_code_id, project_id, enqueued_at, next_attempt_at, attempts)
                    SELECT id, project_id, \(retryAt), \(retryAt), 1 FROM agent_codes WHERE id = \(codeID)
                    ON CONFLICT (agent_code_id) DO UPDATE SET next_attempt_at = excluded.next_attempt_at,
                        attempts = shopify_outbox.attempts + 1
                    """)
            } else {
                try await transaction.rows("DELETE FROM shopify_outbox WHERE agent_code_id = \(codeID)")
            }
            if let (projectID, key) = project { transaction.changed(.agentCode, projectID, String(codeID), key: key) }
        }
    }

    public func dueOutbox(now: Instant, limit: Int) async throws -> [OutboxEntry] {
        try await rows(
            """
            SELECT agent_code_id, project_id, attempts, next_attempt_at FROM shopify_outbox
            WHERE next_attempt_at <= \(now) ORDER BY next_attempt_at LIMIT \(Int64(limit))
            """
        ).map { row in
            var r = row.reader()
            return OutboxEntry(codeID: try r.next(), projectID: try r.next(), attempts: try r.next(), nextAttemptAt: try r.next())
        }
    }

    public func nextOutboxDue() async throws -> Instant? {
        try await rows("SELECT min(next_attempt_at) FROM shopify_outbox").first?.decode(Instant?.self)
    }

    public func outboxDepth() async throws -> Int64 {
        try await rows("SELECT count(*) FROM shopify_outbox").first?.decode(Int64.self) ?? 0
    }

    public func requeueUnsynced(projectID: String, at: Instant) async throws -> Int64 {
        try await write { transaction in try await Self.requeueUnsynced(projectID: projectID, at: at, transaction) }
    }

    private static func requeueUnsynced(projectID: String, at: Instant, _ transaction: WriteTransaction) async throws -> Int64 {
        try await transaction.rows(
            """
            WITH queued AS (
                INSERT INTO shopify_outbox (agent_code_id, project_id, enqueued_at, next_attempt_at)
                SELECT id, project_id, \(at), \(at) FROM agent_codes WHERE project_id = \(projectID) AND sync_status <> 'synced'
                ON CONFLICT (agent_code_id) DO UPDATE SET next_attempt_at = excluded.next_attempt_at
                RETURNING 1
            )
            SELECT count(*) FROM queued
            """
        ).first?.decode(Int64.self) ?? 0
    }

    public func shopifyCredentials(projectID: String) async throws -> ShopifyCredentials? {
        try await rows(
            """
            SELECT project_id, shop_domain, access_token, granted_scopes, updated_at FROM shopify_credentials
            WHERE project_id = \(projectID)
            """
        ).first.map { row in
            var r = row.reader()
            let project: String = try r.next()
            let shop: String = try r.next()
            let token: String = try r.next()
            let scopes: String = try r.next()
            return ShopifyCredentials(
                projectID: project, shopDomain: shop, accessToken: token,
                grantedScopes: scopes.split(separator: " ").map(String.init), updatedAt: try r.next())
        }
    }

    /// The credentials and the requeue of the project's unsynced codes, in one transaction.
    public func saveShopifyCredentials(
        _ credentials: ShopifyCredentials, requeueAt: Instant, options: WriteOptions<Int64>
    ) async throws -> Int64 {
        try await write(options: options) { transaction in
            do {
                try await transaction.rows(
                    """
                    INSERT INTO shopify_credentials (project_id, shop_domain, access_token, granted_scopes, updated_at)
                    VALUES (\(credentials.projectID), \(credentials.shopDomain), \(credentials.accessToken),
                        \(credentials.grantedScopes.joined(separator: " ")), \(credentials.updatedAt))
                    ON CONFLICT (project_id) DO UPDATE SET shop_domain = excluded.shop_domain,
                        access_token = excluded.access_token, granted_scopes = excluded.granted_scopes,
                        updated_at = excluded.updated_at
                    """)
            } catch  where PostgresErrors.isForeignKeyViolation(error) {
                throw StoreError.failure("project \(credentials.projectID) does not exist")
            }
            transaction.changed(.shopifyCredentials, credentials.projectID, credentials.projectID)
            return try await Self.requeueUnsynced(projectID: credentials.projectID, at: requeueAt, transaction)
        }
    }
}
