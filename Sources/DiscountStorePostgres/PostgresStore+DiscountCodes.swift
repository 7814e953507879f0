import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    /// Batched with the other inserts queued meanwhile (`insertCodes`).
    public func insertDiscountCode(_ code: DiscountCode, options: WriteOptions<Void>) async throws {
        try await batchers.codeInserts.submit(Batched(code, options), deadline: options.deadline)
    }

    public func discountCode(projectID: String, id: String) async throws -> DiscountCode? {
        try await rows(
            """
            SELECT \(unescaped: PostgresRows.discountCodeColumns) FROM discount_codes
            WHERE project_id = \(projectID) AND id = \(id)
            """
        ).first.map { try $0.read(PostgresRows.discountCode) }
    }

    public func discountCode(projectID: String, canonicalCode: String) async throws -> DiscountCode? {
        try await rows(
            """
            SELECT \(unescaped: PostgresRows.discountCodeColumns) FROM discount_codes
            WHERE project_id = \(projectID) AND canonical_code = \(canonicalCode)
            """
        ).first.map { try $0.read(PostgresRows.discountCode) }
    }

    public func discountCodes(
        projectID: String, priceRuleID: String, after: String?, limit: Int
    ) async throws -> [DiscountCode] {
        guard limit > 0 else { return [] }
        return try await rows(
            """
            SELECT \(unescaped: PostgresRows.discountCodeColumns) FROM discount_codes
            WHERE project_id = \(projectID) AND price_rule_id = \(priceRuleID) AND (\(after)::text IS NULL OR id > \(after))
            ORDER BY id LIMIT \(limit)
            """
        ).map { try $0.read(PostgresRows.discountCode) }
    }

    /// Code text, use_with_other, usage_limit and updated_at; the version moves
    /// on. Both the old key and the new one are logged (a cache keyed by code
    /// text drops either).
    public func updateDiscountCode(_ code: DiscountCode, options: WriteOptions<DiscountCode?>) async throws -> DiscountCode? {
        try await write(options: options) { transaction in
            let updated: (code: DiscountCode, oldKey: String)?
            do {
                // The self-join reads the row as it was before this UPDATE: its old key.
                updated = try await transaction.rows(
                    """
                    UPDATE discount_codes d SET code = \(code.code), canonical_code = \(code.canonicalCode),
                        use_with_other = \(code.useWithOther), usage_limit = \(code.usageLimit),
                        updated_at = \(code.updatedAt), version = d.version + 1
                    FROM discount_codes old
                    WHERE d.project_id = \(code.projectID) AND d.id = \(code.id)
                        AND old.project_id = d.project_id AND old.id = d.id
                    RETURNING \(unescaped: PostgresRows.qualified(PostgresRows.discountCodeColumns, "d")), old.canonical_code
                    """
                ).first.map { row in
                    var r = row.reader()
                    return (try PostgresRows.discountCode(&r), try r.next())
                }
            } catch {
                throw Self.codeWriteError(error, code)
            }
            guard let updated else { return nil }
            let stored = updated.code
            transaction.changed(.discountCode, code.projectID, code.id, key: stored.canonicalCode, version: stored.version)
            if updated.oldKey != stored.canonicalCode {
                transaction.changed(.discountCode, code.projectID, code.id, key: updated.oldKey, version: stored.version)
            }
            return stored
        }
    }

    public func deleteDiscountCode(projectID: String, id: String, options: WriteOptions<Bool>) async throws -> Bool {
        try await write(options: options) { transaction in
            guard
                let key = try await transaction.rows(
                    """
                    DELETE FROM discount_codes WHERE project_id = \(projectID) AND id = \(id) RETURNING canonical_code
                    """
                ).first?.decode(String.self)
            else { return false }
            transaction.changed(.discountCode, projectID, id, key: key)
            return true
        }
    }

    public func countDiscountCodes(projectID: String) async throws -> Int64 {
        try await rows("SELECT count(*) FROM discount_codes WHERE project_id = \(projectID)").first?.decode(Int64.self) ?? 0
    }

    /// A refused code write as the store's error: the canonical code's unique
    /// index → `.codeTaken` (the code as given); the id → `.conflict`; a
    /// missing rule → `.failure`.
    static func codeWriteError(_ error: any Error, _ code: DiscountCode) -> any Error {
        if PostgresErrors.isUniqueViolation(error) {
            return PostgresErrors.constraint(error) == "discount_codes_by_key"
                ? StoreError.codeTaken(code.code)
                : StoreError.conflict("discount code \(code.id)")
        }
        if PostgresErrors.isForeignKeyViolation(error) {
            return StoreError.failure("price rule \(code.priceRuleID) does not exist in project \(code.projectID)")
        }
        return error
    }
}
