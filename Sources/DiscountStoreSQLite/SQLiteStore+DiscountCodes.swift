import DiscountCore
import DiscountStore

private enum SQL {
    static let insert = """
        INSERT INTO discount_codes (\(SQLiteRows.discountCodeColumns))
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        """
    static let byID = "SELECT \(SQLiteRows.discountCodeColumns) FROM discount_codes WHERE project_id = ?1 AND id = ?2"
    static let byCanonical = """
        SELECT \(SQLiteRows.discountCodeColumns) FROM discount_codes WHERE project_id = ?1 AND canonical_code = ?2
        """
    static let firstPage = """
        SELECT \(SQLiteRows.discountCodeColumns) FROM discount_codes
        WHERE project_id = ?1 AND price_rule_id = ?2 ORDER BY id LIMIT ?3
        """
    static let nextPage = """
        SELECT \(SQLiteRows.discountCodeColumns) FROM discount_codes
        WHERE project_id = ?1 AND price_rule_id = ?2 AND id > ?4 ORDER BY id LIMIT ?3
        """
    /// Code text, use_with_other, usage_limit and updated_at; the version moves on.
    static let update = """
        UPDATE discount_codes SET code = ?3, canonical_code = ?4, use_with_other = ?5, usage_limit = ?6,
            updated_at = ?7, version = version + 1
        WHERE project_id = ?1 AND id = ?2
        """
    static let delete = "DELETE FROM discount_codes WHERE project_id = ?1 AND id = ?2"
    static let count = "SELECT count(*) FROM discount_codes WHERE project_id = ?1"
}

extension SQLiteStore {
    public func insertDiscountCode(_ code: DiscountCode, options: WriteOptions<Void>) async throws {
        try await write(options: options, Self.insertion(of: code))
    }

    private static func insertion(of code: DiscountCode) -> @Sendable (SQLiteConnection) throws -> Void {
        { db in
            do {
                try db.withStatement(SQL.insert) { s in
                    try bindInsert(s, code)
                    try s.run()
                }
            } catch let error as SQLiteError {
                throw codeWriteError(error, code)
            }
        }
    }

    public func discountCode(projectID: String, id: String) async throws -> DiscountCode? {
        try read { db in try Self.discountCode(projectID: projectID, id: id, db) }
    }

    static func discountCode(projectID: String, id: String, _ db: SQLiteConnection) throws -> DiscountCode? {
        try db.withStatement(SQL.byID) { s in
            try s.bindAll(projectID, id)
            return try s.step() ? SQLiteRows.discountCode(s) : nil
        }
    }

    public func discountCode(projectID: String, canonicalCode: String) async throws -> DiscountCode? {
        try read { db in
            try db.withStatement(SQL.byCanonical) { s in
                try s.bindAll(projectID, canonicalCode)
                return try s.step() ? SQLiteRows.discountCode(s) : nil
            }
        }
    }

    public func discountCodes(
        projectID: String, priceRuleID: String, after: String?, limit: Int
    ) async throws -> [DiscountCode] {
        guard limit > 0 else { return [] }
        return try read { db in
            try db.withStatement(after == nil ? SQL.firstPage : SQL.nextPage) { s in
                try s.bindAll(projectID, priceRuleID, limit)
                if let after { try s.bind(4, after) }
                var codes: [DiscountCode] = []
                codes.reserveCapacity(min(limit, 1024))
                while try s.step() { codes.append(SQLiteRows.discountCode(s)) }
                return codes
            }
        }
    }

    public func updateDiscountCode(_ code: DiscountCode, options: WriteOptions<DiscountCode?>) async throws -> DiscountCode? {
        try await write(options: options) { db in
            let updated: Bool
            do {
                updated = try db.withStatement(SQL.update) { s in
                    try s.bindAll(
                        code.projectID, code.id, code.code, code.canonicalCode, code.useWithOther, code.usageLimit, code.updatedAt
                    )
                    try s.run()
                    return s.changes > 0
                }
            } catch let error as SQLiteError {
                throw Self.codeWriteError(error, code)
            }
            guard updated else { return nil }
            return try Self.discountCode(projectID: code.projectID, id: code.id, db)
        }
    }

    public func deleteDiscountCode(projectID: String, id: String, options: WriteOptions<Bool>) async throws -> Bool {
        try await write(freesSpace: true, options: options) { db in
            try db.withStatement(SQL.delete) { s in
                try s.bindAll(projectID, id)
                try s.run()
                return s.changes > 0
            }
        }
    }

    public func countDiscountCodes(projectID: String) async throws -> Int64 {
        try read { db in
            try db.withStatement(SQL.count) { s in
                try s.bind(1, projectID)
                return try s.step() ? s.int64(0) : 0
            }
        }
    }

    // MARK: Shared with the bulk insert

    /// Binds every column of `SQL.insert` (and of the bulk variant, which has
    /// the same parameters).
    static func bindInsert(_ s: SQLiteStatement, _ code: DiscountCode) throws {
        try s.bindAll(
            code.projectID, code.id, code.priceRuleID, code.code, code.canonicalCode, code.useWithOther, code.usageLimit,
            code.usageCount, code.createdAt, code.updatedAt, code.version)
    }

    /// A refused code write as the store's error: the canonical code's unique
    /// index → `.codeTaken` (the code as given); the id → `.conflict`; a
    /// missing rule → `.failure`.
    static func codeWriteError(_ error: SQLiteError, _ code: DiscountCode) -> any Error {
        if error.isUniqueViolation {
            return error.involves("canonical_code")
                ? StoreError.codeTaken(code.code)
                : StoreError.conflict("discount code \(code.id)")
        }
        if error.isForeignKeyViolation {
            return StoreError.failure("price rule \(code.priceRuleID) does not exist in project \(code.projectID)")
        }
        return error
    }
}
