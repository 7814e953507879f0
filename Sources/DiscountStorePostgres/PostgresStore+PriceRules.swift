import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    public func insertPriceRule(_ rule: PriceRule, options: WriteOptions<Void>) async throws {
        try await write(options: options) { transaction in
            do {
                try await transaction.rows(
                    """
                    INSERT INTO price_rules (\(unescaped: PostgresRows.priceRuleColumns))
                    VALUES (\(rule.projectID), \(rule.id), \(rule.title), \(rule.valueKind.rawValue), \(rule.value),
                        \(rule.currency), \(rule.startsAt), \(rule.endsAt), \(rule.usageLimit), \(rule.usageCount),
                        \(rule.oncePerCustomer), \(rule.createdAt), \(rule.updatedAt), \(rule.version))
                    """)
            } catch  where PostgresErrors.isUniqueViolation(error) {
                throw StoreError.conflict("price rule \(rule.id)")
            } catch  where PostgresErrors.isForeignKeyViolation(error) {
                throw StoreError.failure("project \(rule.projectID) does not exist")
            }
            transaction.changed(.priceRule, rule.projectID, rule.id, version: rule.version)
        }
    }

    public func priceRule(projectID: String, id: String) async throws -> PriceRule? {
        try await rows(
            """
            SELECT \(unescaped: PostgresRows.priceRuleColumns) FROM price_rules WHERE project_id = \(projectID) AND id = \(id)
            """
        ).first.map { try $0.read(PostgresRows.priceRule) }
    }

    public func priceRules(projectID: String, after: String?, limit: Int) async throws -> [PriceRule] {
        guard limit > 0 else { return [] }
        return try await rows(
            """
            SELECT \(unescaped: PostgresRows.priceRuleColumns) FROM price_rules
            WHERE project_id = \(projectID) AND (\(after)::text IS NULL OR id > \(after))
            ORDER BY id LIMIT \(limit)
            """
        ).map { try $0.read(PostgresRows.priceRule) }
    }

    /// Editable fields only: usage_count and created_at stay; the version moves on.
    public func updatePriceRule(_ rule: PriceRule, options: WriteOptions<PriceRule?>) async throws -> PriceRule? {
        try await write(options: options) { transaction in
            let stored = try await transaction.rows(
                """
                UPDATE price_rules SET title = \(rule.title), value_kind = \(rule.valueKind.rawValue), value = \(rule.value),
                    currency = \(rule.currency), starts_at = \(rule.startsAt), ends_at = \(rule.endsAt),
                    usage_limit = \(rule.usageLimit), once_per_customer = \(rule.oncePerCustomer),
                    updated_at = \(rule.updatedAt), version = version + 1
                WHERE project_id = \(rule.projectID) AND id = \(rule.id)
                RETURNING \(unescaped: PostgresRows.priceRuleColumns)
                """
            ).first.map { try $0.read(PostgresRows.priceRule) }
            guard let stored else { return nil }
            transaction.changed(.priceRule, rule.projectID, rule.id, version: stored.version)
            return stored
        }
    }

    /// Deletes the rule's codes, then the rule, each code logged as deleted.
    /// The rule is locked first: from then on no code can be added under it
    /// (the insert's foreign-key check waits, then fails), so the count is exact.
    public func deletePriceRule(projectID: String, id: String, options: WriteOptions<Int64?>) async throws -> Int64? {
        try await write(options: options) { transaction in
            let locked = try await transaction.rows(
                """
                SELECT 1 FROM price_rules WHERE project_id = \(projectID) AND id = \(id) FOR UPDATE
                """)
            guard !locked.isEmpty else { return nil }
            let codes = try await transaction.rows(
                """
                DELETE FROM discount_codes WHERE project_id = \(projectID) AND price_rule_id = \(id)
                RETURNING id, canonical_code
                """)
            try await transaction.rows("DELETE FROM price_rules WHERE project_id = \(projectID) AND id = \(id)")
            transaction.changed(.priceRule, projectID, id)
            for row in codes {
                let (codeID, canonical) = try row.decode((String, String).self)
                transaction.changed(.discountCode, projectID, codeID, key: canonical)
            }
            return Int64(codes.count)
        }
    }
}
