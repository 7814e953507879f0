import Testing

@testable import DiscountCore

@Suite struct RedemptionPolicyTests {
    let now = Instant(seconds: 1_800_000_000)

    func rule(starts: Int64 = -10, ends: Int64? = nil, limit: Int64? = nil, used: Int64 = 0, once: Bool = false) -> PriceRule {
        PriceRule(
            id: "r", projectID: "p", title: "t", valueKind: .percentage, value: 10,
            startsAt: now.adding(seconds: starts), endsAt: ends.map { now.adding(seconds: $0) },
            usageLimit: limit, usageCount: used, oncePerCustomer: once, createdAt: now, updatedAt: now)
    }

    func code(limit: Int64? = nil, used: Int64 = 0) -> DiscountCode {
        DiscountCode(
            id: "c", projectID: "p", priceRuleID: "r", code: "X", usageLimit: limit, usageCount: used, createdAt: now,
            updatedAt: now)
    }

    @Test func admitsWithinEveryLimit() {
        #expect(
            RedemptionPolicy.refusal(
                code: code(limit: 2, used: 1), rule: rule(ends: 10, limit: 5, used: 4), customerAlreadyRedeemed: false, at: now)
                == nil)
    }

    @Test func refusesOutsideTheWindow() {
        #expect(
            RedemptionPolicy.refusal(code: code(), rule: rule(starts: 5), customerAlreadyRedeemed: false, at: now)
                == .notYetActive)
        #expect(RedemptionPolicy.refusal(code: code(), rule: rule(ends: 0), customerAlreadyRedeemed: false, at: now) == .expired)
    }

    @Test func refusesPastEitherLimit() {
        #expect(
            RedemptionPolicy.refusal(code: code(limit: 1, used: 1), rule: rule(), customerAlreadyRedeemed: false, at: now)
                == .usageLimitReached)
        #expect(
            RedemptionPolicy.refusal(code: code(), rule: rule(limit: 3, used: 3), customerAlreadyRedeemed: false, at: now)
                == .usageLimitReached)
    }

    @Test func refusesASecondUseByTheSameCustomer() {
        #expect(
            RedemptionPolicy.refusal(code: code(), rule: rule(once: true), customerAlreadyRedeemed: true, at: now)
                == .alreadyUsedByCustomer)
        #expect(RedemptionPolicy.refusal(code: code(), rule: rule(once: false), customerAlreadyRedeemed: true, at: now) == nil)
    }
}
