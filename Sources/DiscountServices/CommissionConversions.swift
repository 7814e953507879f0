import DiscountCore
import DiscountProto

extension CampaignMessage {
    init(_ campaign: CampaignRecord, now: Instant) {
        self.init(
            campaignId: campaign.id, name: campaign.name, discountPercent: campaign.discountPercent,
            commissionPercent: campaign.commissionPercent, startsAt: campaign.startsAt.timestamp,
            endsAt: campaign.endsAt?.timestamp, hasCustomerDiscount: campaign.hasCustomerDiscount,
            isActive: campaign.isActive(at: now))
    }
}

extension AgentDiscountCode {
    /// The seed's shape. A code whose attempt has not finished reads as
    /// `failed` with its last error (`shopify_sync_failed` before any).
    init(_ code: AgentCode, campaign: CampaignRecord, now: Instant) {
        let error = code.sync.error ?? (code.sync.status == .pending ? .shopifySyncFailed : nil)
        self.init(
            discountCode: code.code, discountPercent: campaign.discountPercent, campaignName: campaign.name,
            campaignId: campaign.id, expiresAt: campaign.endsAt?.timestamp, isActive: campaign.isActive(at: now),
            shopifySyncStatus: code.sync.status.wireValue, shopifyDiscountId: code.sync.shopifyDiscountID,
            shopifySyncError: code.sync.status == .synced ? nil : error?.rawValue)
    }
}

extension OrderState {
    init?(_ status: OrderStatus) {
        switch status {
        case .pending: self = .pending
        case .paid: self = .paid
        case .cancelled: self = .cancelled
        case .refunded: self = .refunded
        default: return nil
        }
    }

    var wire: OrderStatus {
        switch self {
        case .pending: .pending
        case .paid: .paid
        case .cancelled: .cancelled
        case .refunded: .refunded
        }
    }
}
