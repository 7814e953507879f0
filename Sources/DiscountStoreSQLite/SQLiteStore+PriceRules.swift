import DiscountCore
import DiscountStore

private enum SQL {
    static let insert = """
        INSERT INTO price_rules (\(SQLiteRows.priceRuleColumns))
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
        """
    static let byID = "SELECT \(SQLiteRows.priceRuleColumns) FROM price_rules WHERE project_id = ?1 AND id = ?2"
    static let firstPage = """
        SELECT \(SQLiteRows.priceRuleColumns) FROM price_rules WHERE project_id = ?1 ORDER BY id LIMIT ?2
        """
    static let nextPage = """
        SELECT \(SQLiteRows.priceRuleColumns) FROM price_rules WHERE project_id = ?1 AND id > ?3 ORDER BY id LIMIT ?2
        """
    /// Editable fields only: usage_count and created_at stay; the version moves on.
    static let update = """
        UPDATE price_rules SET title = ?3, value_kind = ?4, value = ?5, currency = ?6, starts_at = ?7, ends_at = ?8,
            usage_limit = ?9, once_per_customer = ?10, updated_at = ?11, version = version + 1
        WHERE project_id = ?1 AND id = ?2
        """
    static let countCodes = "SELECT count(*) FROM discount_codes WHERE project_id = ?1 AND price_rule_id = ?2"
    /// Its codes go with it (ON DELETE CASCADE).
    static let delete = "DELETE FROM price_rules WHERE project_id = ?1 AND id = ?2"
}

extension SQLiteStore {
    public func insertPriceRule(_ rule: PriceRule, options: WriteOptions<Void>) async throws {
        try await write(options: options) { db in
            do {
                try db.withStatement(SQL.insert) { s in
                    try s.bindAll(
                        rule.projectID, rule.id, rule.title, rule.valueKind.rawValue, rule.value, rule.currency, rule.startsAt,
                        rule.endsAt, rule.usageLimit, rule.usageCount, rule.oncePerCustomer, rule.createdAt, rule.updatedAt,
                        rule.version)
                    try s.run()
                }
            } catch let error as SQLiteError where error.isUniqueViolation {
                throw StoreError.conflict("price rule \(rule.id)")
            } catch let error as SQLiteError where error.isForeignKeyViolation {
                throw StoreError.failure("project \(rule.projectID) does not exist")
            }
        }
    }

    public func priceRule(projectID: String, id: String) async throws -> PriceRule? {
        try read { db in try Self.priceRule(projectID: projectID, id: id, db) }
    }

    static func priceRule(projectID: String, id: String, _ db: SQLiteConnection) throws -> PriceRule? {
        try db.withStatement(SQL.byID) { s in
            try s.bindAll(projectID, id)
            return try s.step() ? SQLiteRows.priceRule(s) : nil
        }
    }

    public func priceRules(projectID: String, after: String?, limit: Int) async throws -> [PriceRule] {
        guard limit > 0 else { return [] }
        return try read { db in
            try db.withStatement(after == nil ? SQL.firstPage : SQL.nextPage) { s in
                try s.bindAll(projectID, limit)
                if let after { try s.bind(3, after) }
                var rules: [PriceRule] = []
                rules.reserveCapacity(min(limit, 1024))
                while try s.step() { rules.append(SQLiteRows.priceRule(s)) }
                return rules
            }
        }
    }

    public func updatePriceRule(_ rule: PriceRule, options: WriteOptions<PriceRule?>) async throws -> PriceRule? {
        try await write(options: options) { db in
            let updated = try db.withStatement(SQL.update) { s in
                try s.bindAll(
                    rule.projectID, rule.id, rule.title, rule.valueKind.rawValue, rule.value, rule.currency, rule.startsAt,
                    rule.endsAt, rule.usageLimit, rule.oncePerCustomer, rule.updatedAt)
                try s.run()
                return s.changes > 0
            }
            // As stored: with the version the update gave it.
            return updated ? try Self.priceRule(projectID: rule.projectID, id: rule.id, db) : nil
        }
    }

    public func deletePriceRule(projectID: String, id: String, options: WriteOptions<Int64?>) async throws -> Int64? {
        try await write(freesSpace: true, options: options) { db in
            let codes = try db.withStatement(SQL.countCodes) { s in
                try s.bindAll(projectID, id)
                return try s.step() ? s.int64(0) : 0
            }
            let deleted = try db.withStatement(SQL.delete) { s in
                try s.bindAll(projectID, id)
                try s.run()
                return s.changes > 0
            }
            return deleted ? codes : nil
        }
    }
}
