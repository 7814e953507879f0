import DiscountCore
import DiscountStore
import NIOCore
import PostgresNIO

/// Column lists and row decoders shared by the queries, so every SELECT of a
/// table reads the same columns in the same order.
enum PostgresRows {
    static let projectColumns = "id, name, created_at"

    static func project(_ r: inout RowReader) throws -> Project {
        Project(id: try r.next(), name: try r.next(), createdAt: try r.next())
    }

    static let tokenColumns = "id, project_id, name, scopes, secret_hash, created_at, expires_at, revoked_at"

    static func token(_ r: inout RowReader) throws -> TokenRecord {
        TokenRecord(
            id: try r.next(), projectID: try r.next(), name: try r.next(), scopes: decodeScopes(try r.next()),
            secretHash: try r.next(), createdAt: try r.next(), expiresAt: try r.next(), revokedAt: try r.next())
    }

    /// Scopes are stored space-separated (scope names are identifiers), as on SQLite.
    static func encodeScopes(_ scopes: [String]) -> String { scopes.joined(separator: " ") }

    static func decodeScopes(_ text: String) -> [String] {
        text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
    }

    static let priceRuleColumns = """
        project_id, id, title, value_kind, value, currency, starts_at, ends_at, usage_limit, usage_count, \
        once_per_customer, created_at, updated_at, version
        """

    static func priceRule(_ r: inout RowReader) throws -> PriceRule {
        let projectID: String = try r.next()
        let id: String = try r.next()
        let title: String = try r.next()
        let kind: String = try r.next()
        return PriceRule(
            id: id, projectID: projectID, title: title, valueKind: PriceRule.ValueKind(rawValue: kind) ?? .percentage,
            value: try r.next(), currency: try r.next(), startsAt: try r.next(), endsAt: try r.next(),
            usageLimit: try r.next(), usageCount: try r.next(), oncePerCustomer: try r.next(), createdAt: try r.next(),
            updatedAt: try r.next(), version: try r.next())
    }

    static let discountCodeColumns = """
        project_id, id, price_rule_id, code, canonical_code, use_with_other, usage_limit, usage_count, \
        created_at, updated_at, version
        """

    /// The canonical code is the stored one: the key the unique index holds.
    static func discountCode(_ r: inout RowReader) throws -> DiscountCode {
        let projectID: String = try r.next()
        let id: String = try r.next()
        let ruleID: String = try r.next()
        let text: String = try r.next()
        let canonical: String = try r.next()
        var code = DiscountCode(
            id: id, projectID: projectID, priceRuleID: ruleID, code: text, useWithOther: try r.next(),
            usageLimit: try r.next(), usageCount: try r.next(), createdAt: try r.next(), updatedAt: try r.next(),
            version: try r.next())
        code.canonicalCode = canonical
        return code
    }

    static let idempotencyColumns = "project_id, key, method, request_hash, response, created_at"

    static func idempotencyRecord(_ r: inout RowReader) throws -> IdempotencyRecord {
        IdempotencyRecord(
            projectID: try r.next(), key: try r.next(), method: try r.next(), requestHash: try r.next(),
            response: try r.bytes(), createdAt: try r.next())
    }

    static let voucherPoolColumns = "pool_key, project_id, id, name, total, available, assigned, redeemed, created_at"

    /// The pool and its integer key (what the codes hang off).
    static func voucherPool(_ r: inout RowReader) throws -> (key: Int64, pool: VoucherPool) {
        let key: Int64 = try r.next()
        let projectID: String = try r.next()
        let id: String = try r.next()
        return (
            key,
            VoucherPool(
                id: id, projectID: projectID, name: try r.next(), total: try r.next(), available: try r.next(),
                assigned: try r.next(), redeemed: try r.next(), createdAt: try r.next())
        )
    }

    static let voucherCodeColumns = "code, status, seq, customer_id, used_by, assigned_at, redeemed_at"

    /// A stored '' used_by is none.
    static func voucherCode(_ r: inout RowReader) throws -> VoucherCode {
        let code: String = try r.next()
        let status: Int16 = try r.next()
        let sequence: Int64 = try r.next()
        let customerID: String? = try r.next()
        let usedBy: String? = try r.next()
        return VoucherCode(
            code: code, status: VoucherStatus(rawValue: Int64(status)) ?? .available, sequence: sequence,
            customerID: customerID, usedBy: usedBy?.isEmpty == true ? nil : usedBy, assignedAt: try r.next(),
            redeemedAt: try r.next())
    }

    static let agentColumns = "id, project_id, name, contact, registered_at"

    static func agent(_ r: inout RowReader) throws -> Agent {
        Agent(id: try r.next(), projectID: try r.next(), name: try r.next(), contact: try r.next(), registeredAt: try r.next())
    }

    static let campaignColumns =
        "id, project_id, name, discount_percent, commission_percent, starts_at, ends_at, created_at, updated_at"

    static func campaign(_ r: inout RowReader) throws -> Campaign {
        Campaign(
            id: try r.next(), projectID: try r.next(), name: try r.next(), discountPercent: try r.next(),
            commissionPercent: try r.next(), startsAt: try r.next(), endsAt: try r.next(), createdAt: try r.next(),
            updatedAt: try r.next())
    }

    static let agentCodeColumns =
        "id, project_id, agent_id, campaign_id, code, created_at, sync_status, sync_error, shopify_discount_id, sync_attempts"

    static func agentCode(_ r: inout RowReader) throws -> AgentCode {
        let id: Int64 = try r.next()
        let projectID: String = try r.next()
        let agentID: Int64 = try r.next()
        let campaignID: Int64 = try r.next()
        let code: String = try r.next()
        let createdAt: Instant = try r.next()
        let status: String = try r.next()
        let error: String? = try r.next()
        return AgentCode(
            id: id, projectID: projectID, agentID: agentID, campaignID: campaignID, code: code, createdAt: createdAt,
            sync: ShopifySyncState(
                status: ShopifySyncStatus(rawValue: status) ?? .pending,
                error: error.flatMap(ShopifySyncError.init(rawValue:)), shopifyDiscountID: try r.next(),
                attempts: try r.next()))
    }

    static let orderColumns =
        "project_id, order_id, agent_id, campaign_id, matched_code, subtotal, currency, occurred_at, status, commission"

    static func order(_ r: inout RowReader) throws -> OrderAttribution {
        let projectID: String = try r.next()
        let orderID: String = try r.next()
        let agentID: Int64? = try r.next()
        let campaignID: Int64? = try r.next()
        let matchedCode: String? = try r.next()
        let subtotal: Int64 = try r.next()
        let currency: String = try r.next()
        let occurredAt: Instant = try r.next()
        let status: String = try r.next()
        return OrderAttribution(
            projectID: projectID, orderID: orderID, agentID: agentID, campaignID: campaignID, matchedCode: matchedCode,
            subtotal: subtotal, currency: currency, occurredAt: occurredAt, state: OrderState(rawValue: status) ?? .pending,
            commission: try r.next())
    }

    /// `columns` qualified with a table alias (or a composite such as `(r.code)`), for joins.
    static func qualified(_ columns: String, _ alias: String) -> String {
        columns.split(separator: ",").map { "\(alias).\($0.filter { $0 != " " })" }.joined(separator: ", ")
    }
}

/// Reads a row's columns in order.
struct RowReader {
    private let row: PostgresRandomAccessRow
    private(set) var index: Int

    init(_ row: PostgresRow, from index: Int = 0) {
        self.row = PostgresRandomAccessRow(row)
        self.index = index
    }

    mutating func next<T: PostgresDecodable>(_: T.Type = T.self) throws -> T {
        defer { index += 1 }
        return try row[index].decode(T.self)
    }

    mutating func bytes() throws -> [UInt8] {
        let buffer: ByteBuffer = try next()
        return Array(buffer.readableBytesView)
    }

    /// Whether the next column is NULL (without moving past it).
    var nextIsNull: Bool { row[index].bytes == nil }
}

extension PostgresRow {
    /// The row's columns, in order, from `index`.
    func reader(from index: Int = 0) -> RowReader { RowReader(self, from: index) }

    /// The row as one record, read by one of `PostgresRows`' readers (`PostgresRows.agent`).
    func read<T>(_ record: (inout RowReader) throws -> T) throws -> T {
        var columns = reader()
        return try record(&columns)
    }
}
