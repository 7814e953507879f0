/// A commission campaign: what the customer saves and what the agent earns.
public struct Campaign: Sendable, Hashable {
    public var id: Int64
    public var projectID: String
    public var name: String
    /// Customer discount in percent, 0...100.
    public var discountPercent: Double
    /// Agent commission on the order subtotal in percent, 0...100.
    public var commissionPercent: Double
    public var startsAt: Instant
    /// nil: open-ended.
    public var endsAt: Instant?
    public var createdAt: Instant
    public var updatedAt: Instant

    public init(
        id: Int64, projectID: String, name: String, discountPercent: Double, commissionPercent: Double,
        startsAt: Instant, endsAt: Instant?, createdAt: Instant, updatedAt: Instant
    ) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.discountPercent = discountPercent
        self.commissionPercent = commissionPercent
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The seed only hands out codes for campaigns that give the customer something.
    public var hasCustomerDiscount: Bool { discountPercent > 0 }

    /// Started and not ended at `now`.
    public func isActive(at now: Instant) -> Bool {
        startsAt <= now && (endsAt.map { now < $0 } ?? true)
    }
}
