import DiscountCore
import DiscountStore

/// Column lists and row decoders shared by the queries, so every SELECT of a
/// table reads the same columns in the same order.
enum SQLiteRows {
    // MARK: Projects

    static let projectColumns = "id, name, created_at"

    static func project(_ row: SQLiteStatement) -> Project {
        Project(id: row.string(0), name: row.string(1), createdAt: row.instant(2))
    }

    // MARK: Tokens

    static let tokenColumns = "id, project_id, name, scopes, secret_hash, created_at, expires_at, revoked_at"

    static func token(_ row: SQLiteStatement) -> TokenRecord {
        TokenRecord(
            id: row.string(0), projectID: row.string(1), name: row.string(2),
            scopes: decodeScopes(row.string(3)), secretHash: row.string(4), createdAt: row.instant(5),
            expiresAt: row.optionalInstant(6), revokedAt: row.optionalInstant(7)
        )
    }

    /// Scopes are stored space-separated (scope names are identifiers).
    static func encodeScopes(_ scopes: [String]) -> String { scopes.joined(separator: " ") }

    static func decodeScopes(_ text: String) -> [String] {
        text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    // MARK: Price rules

    static let priceRuleColumnCount: Int32 = 14
    static let priceRuleColumns = """
        project_id, id, title, value_kind, value, currency, starts_at, ends_at, usage_limit, usage_count, \
        once_per_customer, created_at, updated_at, version
        """

    /// `priceRuleColumns` qualified with a table alias, for joins.
    static func priceRuleColumns(as alias: String) -> String {
        qualified(priceRuleColumns, alias)
    }

    /// Reads a rule starting at column `first`.
    static func priceRule(_ row: SQLiteStatement, from first: Int32 = 0) -> PriceRule {
        let c = first
        return PriceRule(
            id: row.string(c + 1), projectID: row.string(c), title: row.string(c + 2),
            valueKind: PriceRule.ValueKind(rawValue: row.string(c + 3)) ?? .percentage,
            value: row.double(c + 4), currency: row.string(c + 5), startsAt: row.instant(c + 6),
            endsAt: row.optionalInstant(c + 7), usageLimit: row.optionalInt64(c + 8), usageCount: row.int64(c + 9),
            oncePerCustomer: row.bool(c + 10), createdAt: row.instant(c + 11), updatedAt: row.instant(c + 12),
            version: row.int64(c + 13)
        )
    }

    // MARK: Discount codes

    static let discountCodeColumnCount: Int32 = 11
    static let discountCodeColumns = """
        project_id, id, price_rule_id, code, canonical_code, use_with_other, usage_limit, usage_count, \
        created_at, updated_at, version
        """

    static func discountCodeColumns(as alias: String) -> String {
        qualified(discountCodeColumns, alias)
    }

    /// Reads a code starting at column `first`. The canonical code is the
    /// stored one: it is the key the unique index holds.
    static func discountCode(_ row: SQLiteStatement, from first: Int32 = 0) -> DiscountCode {
        let c = first
        var code = DiscountCode(
            id: row.string(c + 1), projectID: row.string(c), priceRuleID: row.string(c + 2), code: row.string(c + 3),
            useWithOther: row.bool(c + 5), usageLimit: row.optionalInt64(c + 6), usageCount: row.int64(c + 7),
            createdAt: row.instant(c + 8), updatedAt: row.instant(c + 9), version: row.int64(c + 10)
        )
        code.canonicalCode = row.string(c + 4)
        return code
    }

    // MARK: Idempotency records

    static let idempotencyColumns = "project_id, key, method, request_hash, response, created_at"

    static func idempotencyRecord(_ row: SQLiteStatement) -> IdempotencyRecord {
        IdempotencyRecord(
            projectID: row.string(0), key: row.string(1), method: row.string(2), requestHash: row.string(3),
            response: row.bytes(4), createdAt: row.instant(5)
        )
    }

    private static func qualified(_ columns: String, _ alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.filter { $0 != " " })" }.joined(separator: ", ")
    }
}
