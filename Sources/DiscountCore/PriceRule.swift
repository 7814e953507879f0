/// What a discount is worth and when and how often it applies; codes hang off it.
public struct PriceRule: Sendable, Hashable, Codable {
    public enum ValueKind: String, Sendable, Hashable, Codable {
        case percentage
        case fixedAmount = "fixed_amount"
    }

    public var id: String
    public var projectID: String
    public var title: String
    public var valueKind: ValueKind
    /// Percent (0–100) for `.percentage`; minor currency units for `.fixedAmount`.
    public var value: Double
    public var currency: String
    public var startsAt: Instant
    public var endsAt: Instant?
    /// Redemptions allowed across all of the rule's codes; nil is unlimited.
    public var usageLimit: Int64?
    public var usageCount: Int64
    public var oncePerCustomer: Bool
    public var createdAt: Instant
    public var updatedAt: Instant
    /// Bumped by the store on every change (including usage counts), so a
    /// cache can tell a newer copy from an older one.
    public var version: Int64

    /// The largest `.fixedAmount` value: 10^12 minor units (ten billion in a
    /// two-decimal currency), so every amount is exact in a Double and in JSON.
    public static let maxFixedAmount: Double = 1e12

    public init(
        id: String, projectID: String, title: String, valueKind: ValueKind, value: Double,
        currency: String = "", startsAt: Instant, endsAt: Instant? = nil, usageLimit: Int64? = nil,
        usageCount: Int64 = 0, oncePerCustomer: Bool = false, createdAt: Instant, updatedAt: Instant, version: Int64 = 1
    ) {
        self.id = id
        self.projectID = projectID
        self.title = title
        self.valueKind = valueKind
        self.value = value
        self.currency = currency
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.usageLimit = usageLimit
        self.usageCount = usageCount
        self.oncePerCustomer = oncePerCustomer
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}
