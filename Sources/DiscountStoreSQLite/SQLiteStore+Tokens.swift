import DiscountCore
import DiscountStore

private enum SQL {
    static let insert = "INSERT INTO tokens (\(SQLiteRows.tokenColumns)) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    static let bySecretHash = "SELECT \(SQLiteRows.tokenColumns) FROM tokens WHERE secret_hash = ?1"
    static let byID = "SELECT \(SQLiteRows.tokenColumns) FROM tokens WHERE id = ?1"
    /// The first revocation time is kept.
    static let revoke = """
        UPDATE tokens SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1
        RETURNING \(SQLiteRows.tokenColumns)
        """
}

extension SQLiteStore {
    public func insertToken(_ token: TokenRecord, options: WriteOptions<Void>) async throws {
        try await write(options: options) { db in
            do {
                try db.withStatement(SQL.insert) { s in
                    try s.bindAll(
                        token.id, token.projectID, token.name, SQLiteRows.encodeScopes(token.scopes), token.secretHash,
                        token.createdAt, token.expiresAt, token.revokedAt)
                    try s.run()
                }
            } catch let error as SQLiteError where error.isUniqueViolation {
                throw error.involves("secret_hash")
                    ? StoreError.conflict("token with this secret")
                    : StoreError.conflict("token \(token.id)")
            } catch let error as SQLiteError where error.isForeignKeyViolation {
                throw StoreError.failure("project \(token.projectID) does not exist")
            }
        }
    }

    public func token(secretHash: String) async throws -> TokenRecord? {
        try read { db in
            try db.withStatement(SQL.bySecretHash) { s in
                try s.bind(1, secretHash)
                return try s.step() ? SQLiteRows.token(s) : nil
            }
        }
    }

    public func token(id: String) async throws -> TokenRecord? {
        try read { db in
            try db.withStatement(SQL.byID) { s in
                try s.bind(1, id)
                return try s.step() ? SQLiteRows.token(s) : nil
            }
        }
    }

    public func revokeToken(id: String, at: Instant, options: WriteOptions<TokenRecord?>) async throws -> TokenRecord? {
        // A revocation must work on a full disk: it may be why the disk is filling.
        try await write(freesSpace: true, options: options) { db in
            try db.withStatement(SQL.revoke) { s in
                try s.bindAll(id, at)
                return try s.step() ? SQLiteRows.token(s) : nil
            }
        }
    }
}
