/// A request to use a code once for an order.
public struct RedemptionRequest: Sendable, Hashable {
    public var projectID: String
    public var canonicalCode: String
    public var orderID: String
    public var customerID: String?
    public var at: Instant

    public init(projectID: String, canonicalCode: String, orderID: String, customerID: String?, at: Instant) {
        self.projectID = projectID
        self.canonicalCode = canonicalCode
        self.orderID = orderID
        self.customerID = customerID
        self.at = at
    }
}

/// Why a code may not be used now.
public enum RedemptionRefusal: String, Sendable, Hashable, Codable {
    case notYetActive = "CODE_NOT_ACTIVE"
    case expired = "CODE_EXPIRED"
    case usageLimitReached = "USAGE_LIMIT_REACHED"
    case alreadyUsedByCustomer = "ALREADY_USED_BY_CUSTOMER"
}

public enum RedemptionOutcome: Sendable, Hashable {
    /// Counted now; the code and rule as they are after the increment.
    case redeemed(DiscountCode, PriceRule)
    /// This order had already redeemed this code; nothing changed.
    case alreadyRedeemed(DiscountCode, PriceRule)
    case refused(RedemptionRefusal, DiscountCode, PriceRule)
    case codeNotFound
}

/// The checks a redemption must pass; the store runs them inside the same
/// write that increments, so limits hold under any concurrency.
public enum RedemptionPolicy {
    public static func refusal(
        code: DiscountCode, rule: PriceRule, customerAlreadyRedeemed: Bool, at now: Instant
    ) -> RedemptionRefusal? {
        if now < rule.startsAt { return .notYetActive }
        if let endsAt = rule.endsAt, now >= endsAt { return .expired }
        if let limit = code.usageLimit, code.usageCount >= limit { return .usageLimitReached }
        if let limit = rule.usageLimit, rule.usageCount >= limit { return .usageLimitReached }
        if rule.oncePerCustomer, customerAlreadyRedeemed { return .alreadyUsedByCustomer }
        return nil
    }
}
