import DiscountCore
import Foundation

/// The two GraphQL documents the sync sends.
enum ShopifyOperation: Sendable {
    case create
    case lookup

    static let createMutation = """
        mutation CreateCode($input: DiscountCodeBasicInput!) { discountCodeBasicCreate(basicCodeDiscount: $input) \
        { codeDiscountNode { id codeDiscount { ... on DiscountCodeBasic { title status } } } \
        userErrors { field code message extraInfo } } }
        """
    static let lookupQuery = """
        query Lookup($code: String!) { codeDiscountNodeByCode(code: $code) \
        { id codeDiscount { ... on DiscountCodeBasic { title status } } } }
        """

    /// Roughly what each costs, for the client-side bucket.
    var expectedCost: Double { self == .create ? 10 : 1 }
}

/// What the shop's discount for an agent code looks like.
public struct ShopifyDiscountSpec: Sendable, Hashable {
    public var code: String
    /// Ours alone: a `TAKEN` code whose title matches was made by an earlier attempt of ours.
    public var title: String
    public var percent: Double
    public var startsAt: Instant
    public var endsAt: Instant?

    public init(code: String, title: String, percent: Double, startsAt: Instant, endsAt: Instant?) {
        self.code = code
        self.title = title
        self.percent = percent
        self.startsAt = startsAt
        self.endsAt = endsAt
    }

    public init(code: AgentCode, campaign: Campaign) {
        self.init(
            code: code.code, title: "discountd \(code.code) (campaign \(campaign.id))",
            percent: campaign.discountPercent,
            // Backdated a minute: a start in the future makes the code SCHEDULED and checkout refuses it.
            startsAt: min(campaign.startsAt, code.createdAt.adding(seconds: -60)), endsAt: campaign.endsAt)
    }

    func createBody() -> [UInt8] {
        let input: [String: Any] = [
            "title": title,
            "code": code,
            "startsAt": Self.iso8601(startsAt),
            "endsAt": endsAt.map(Self.iso8601) ?? NSNull(),
            "context": ["all": "ALL"],
            // Shopify wants a fraction: 15% is 0.15.
            "customerGets": ["value": ["percentage": percent / 100], "items": ["all": true]],
            "combinesWith": ["productDiscounts": false, "orderDiscounts": false, "shippingDiscounts": true],
            "appliesOncePerCustomer": false,
        ]
        return Self.json(["query": ShopifyOperation.createMutation, "variables": ["input": input]])
    }

    func lookupBody() -> [UInt8] {
        Self.json(["query": ShopifyOperation.lookupQuery, "variables": ["code": code]])
    }

    private static func json(_ object: [String: Any]) -> [UInt8] {
        Array((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func iso8601(_ instant: Instant) -> String {
        Date(timeIntervalSince1970: Double(instant.seconds)).formatted(.iso8601)
    }
}
