/// One code text under a price rule.
public struct DiscountCode: Sendable, Hashable, Codable {
    public var id: String
    public var projectID: String
    public var priceRuleID: String
    /// As the merchant typed it (trimmed).
    public var code: String
    /// Upper-cased: the key that makes codes unique per project, case-insensitively.
    public var canonicalCode: String
    public var useWithOther: Bool
    /// Redemptions allowed for this code; nil is unlimited.
    public var usageLimit: Int64?
    public var usageCount: Int64
    public var createdAt: Instant
    public var updatedAt: Instant
    /// Bumped by the store on every change (including usage counts), so a
    /// cache can tell a newer copy from an older one.
    public var version: Int64

    public init(
        id: String, projectID: String, priceRuleID: String, code: String, useWithOther: Bool = false,
        usageLimit: Int64? = nil, usageCount: Int64 = 0, createdAt: Instant, updatedAt: Instant, version: Int64 = 1
    ) {
        self.id = id
        self.projectID = projectID
        self.priceRuleID = priceRuleID
        self.code = code
        self.canonicalCode = CodeText.canonical(code)
        self.useWithOther = useWithOther
        self.usageLimit = usageLimit
        self.usageCount = usageCount
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.version = version
    }
}
