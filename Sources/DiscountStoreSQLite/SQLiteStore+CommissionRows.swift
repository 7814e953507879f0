import DiscountCore
import DiscountStore

/// Column lists and row readers of the commission tables.
enum CommissionRows {
    static let agentColumns = "id, project_id, name, contact, registered_at"
    static let campaignColumns =
        "id, project_id, name, discount_percent, commission_percent, starts_at, ends_at, created_at, updated_at"
    static let codeColumns =
        "id, project_id, agent_id, campaign_id, code, created_at, sync_status, sync_error, shopify_discount_id, sync_attempts"
    static let orderColumns =
        "project_id, order_id, agent_id, campaign_id, matched_code, subtotal, currency, occurred_at, status, commission"

    static func agent(_ s: SQLiteStatement) -> Agent {
        Agent(id: s.int64(0), projectID: s.string(1), name: s.string(2), contact: s.optionalString(3), registeredAt: s.instant(4))
    }

    static func campaign(_ s: SQLiteStatement) -> Campaign {
        Campaign(
            id: s.int64(0), projectID: s.string(1), name: s.string(2), discountPercent: s.double(3),
            commissionPercent: s.double(4), startsAt: s.instant(5), endsAt: s.optionalInstant(6),
            createdAt: s.instant(7), updatedAt: s.instant(8))
    }

    static func code(_ s: SQLiteStatement) -> AgentCode {
        AgentCode(
            id: s.int64(0), projectID: s.string(1), agentID: s.int64(2), campaignID: s.int64(3), code: s.string(4),
            createdAt: s.instant(5),
            sync: ShopifySyncState(
                status: ShopifySyncStatus(rawValue: s.string(6)) ?? .pending,
                error: s.optionalString(7).flatMap(ShopifySyncError.init(rawValue:)),
                shopifyDiscountID: s.optionalString(8), attempts: s.int64(9)))
    }

    static func order(_ s: SQLiteStatement) -> OrderAttribution {
        OrderAttribution(
            projectID: s.string(0), orderID: s.string(1), agentID: s.optionalInt64(2), campaignID: s.optionalInt64(3),
            matchedCode: s.optionalString(4), subtotal: s.int64(5), currency: s.string(6), occurredAt: s.instant(7),
            state: OrderState(rawValue: s.string(8)) ?? .pending, commission: s.int64(9))
    }
}
