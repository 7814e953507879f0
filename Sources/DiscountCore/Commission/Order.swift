/// An order's state as far as commission goes.
public enum OrderState: String, Sendable, Hashable, CaseIterable {
    case pending, paid, cancelled, refunded

    /// Only a paid order earns commission; a refund reverses it.
    public var earnsCommission: Bool { self == .paid }
}

/// An order attributed (or not) to an agent's code.
public struct OrderAttribution: Sendable, Hashable {
    public var projectID: String
    public var orderID: String
    public var agentID: Int64?
    public var campaignID: Int64?
    public var matchedCode: String?
    public var subtotal: Int64
    public var currency: String
    public var occurredAt: Instant
    public var state: OrderState
    /// Minor units owed now: 0 unless paid.
    public var commission: Int64

    public init(
        projectID: String, orderID: String, agentID: Int64?, campaignID: Int64?, matchedCode: String?,
        subtotal: Int64, currency: String, occurredAt: Instant, state: OrderState, commission: Int64
    ) {
        self.projectID = projectID
        self.orderID = orderID
        self.agentID = agentID
        self.campaignID = campaignID
        self.matchedCode = matchedCode
        self.subtotal = subtotal
        self.currency = currency
        self.occurredAt = occurredAt
        self.state = state
        self.commission = commission
    }

    /// The largest order subtotal accepted: 10^15 minor units. Totals of
    /// thousands of such orders still fit in an Int64.
    public static let maxSubtotal: Int64 = 1_000_000_000_000_000

    /// Commission on `subtotal` at `percent`, rounded half away from zero to
    /// minor units. Total: a value outside Int64 (not reachable through the
    /// validated inputs) saturates rather than traps, and NaN earns nothing.
    public static func commission(subtotal: Int64, percent: Double, state: OrderState) -> Int64 {
        guard state.earnsCommission else { return 0 }
        let amount = (Double(subtotal) * percent / 100).rounded()
        if let exact = Int64(exactly: amount) { return exact }
        guard !amount.isNaN else { return 0 }
        // 2^63 itself is not an Int64, so "at or beyond" saturates.
        return amount > 0 ? .max : .min
    }
}

/// One campaign's figures for an agent in one currency.
public struct CommissionFigures: Sendable, Hashable {
    public var campaignID: Int64
    public var campaignName: String
    public var currency: String
    public var orders: Int64
    public var sales: Int64
    public var commission: Int64

    public init(campaignID: Int64, campaignName: String, currency: String, orders: Int64, sales: Int64, commission: Int64) {
        self.campaignID = campaignID
        self.campaignName = campaignName
        self.currency = currency
        self.orders = orders
        self.sales = sales
        self.commission = commission
    }
}

/// A project's Shopify Admin API credentials.
public struct ShopifyCredentials: Sendable, Hashable {
    public var projectID: String
    /// e.g. `acme.myshopify.com`.
    public var shopDomain: String
    public var accessToken: String
    public var grantedScopes: [String]
    public var updatedAt: Instant

    public init(projectID: String, shopDomain: String, accessToken: String, grantedScopes: [String], updatedAt: Instant) {
        self.projectID = projectID
        self.shopDomain = shopDomain
        self.accessToken = accessToken
        self.grantedScopes = grantedScopes
        self.updatedAt = updatedAt
    }
}
