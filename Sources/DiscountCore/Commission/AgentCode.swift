/// An agent's one discount code for one campaign, with where its Shopify copy stands.
public struct AgentCode: Sendable, Hashable {
    public var id: Int64
    public var projectID: String
    public var agentID: Int64
    public var campaignID: Int64
    /// `CC-{AGENT}-{RANDOM}` as handed out.
    public var code: String
    public var createdAt: Instant
    public var sync: ShopifySyncState

    public init(
        id: Int64, projectID: String, agentID: Int64, campaignID: Int64, code: String, createdAt: Instant,
        sync: ShopifySyncState = .pending
    ) {
        self.id = id
        self.projectID = projectID
        self.agentID = agentID
        self.campaignID = campaignID
        self.code = code
        self.createdAt = createdAt
        self.sync = sync
    }
}

/// Where a code stands with Shopify, as stored.
public struct ShopifySyncState: Sendable, Hashable {
    public var status: ShopifySyncStatus
    public var error: ShopifySyncError?
    /// `gid://shopify/DiscountCodeNode/…` once synced.
    public var shopifyDiscountID: String?
    public var attempts: Int64

    public init(status: ShopifySyncStatus, error: ShopifySyncError? = nil, shopifyDiscountID: String? = nil, attempts: Int64 = 0)
    {
        self.status = status
        self.error = error
        self.shopifyDiscountID = shopifyDiscountID
        self.attempts = attempts
    }

    public static let pending = ShopifySyncState(status: .pending)
}
