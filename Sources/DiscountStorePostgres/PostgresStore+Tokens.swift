import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    public func insertToken(_ token: TokenRecord, options: WriteOptions<Void>) async throws {
        try await write(options: options) { transaction in
            do {
                try await transaction.rows(
                    """
                    INSERT INTO tokens (\(unescaped: PostgresRows.tokenColumns))
                    VALUES (\(token.id), \(token.projectID), \(token.name), \(PostgresRows.encodeScopes(token.scopes)),
                        \(token.secretHash), \(token.createdAt), \(token.expiresAt), \(token.revokedAt))
                    """)
            } catch  where PostgresErrors.isUniqueViolation(error) {
                throw PostgresErrors.constraint(error) == "tokens_secret_hash_key"
                    ? StoreError.conflict("token with this secret")
                    : StoreError.conflict("token \(token.id)")
            } catch  where PostgresErrors.isForeignKeyViolation(error) {
                throw StoreError.failure("project \(token.projectID) does not exist")
            }
            transaction.changed(.token, token.projectID, token.id, key: token.secretHash)
        }
    }

    public func token(secretHash: String) async throws -> TokenRecord? {
        try await rows("SELECT \(unescaped: PostgresRows.tokenColumns) FROM tokens WHERE secret_hash = \(secretHash)")
            .first.map { try $0.read(PostgresRows.token) }
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await rows("SELECT \(unescaped: PostgresRows.tokenColumns) FROM tokens WHERE id = \(id)")
            .first.map { try $0.read(PostgresRows.token) }
    }

    /// The first revocation time is kept. Logged even when it was revoked
    /// already: a daemon that missed the first change learns of it again.
    public func revokeToken(id: String, at: Instant, options: WriteOptions<TokenRecord?>) async throws -> TokenRecord? {
        try await write(options: options) { transaction in
            let revoked = try await transaction.rows(
                """
                UPDATE tokens SET revoked_at = coalesce(revoked_at, \(at)) WHERE id = \(id)
                RETURNING \(unescaped: PostgresRows.tokenColumns)
                """
            ).first.map { try $0.read(PostgresRows.token) }
            if let revoked { transaction.changed(.token, revoked.projectID, revoked.id, key: revoked.secretHash) }
            return revoked
        }
    }
}
