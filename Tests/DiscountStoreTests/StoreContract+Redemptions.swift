import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Testing

extension StoreContract {
    @Test(arguments: StoreFactory.all)
    func redeemCountsAndStopsAtTheCodeLimit(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("Limited", rule: rule, usageLimit: 2))

            let first = try await store.redeem(Fixtures.redemption("limited", order: "o1"))
            #expect(first.isRedeemed)
            #expect(first.code?.usageCount == 1)
            #expect(first.code?.version == 2)
            #expect(first.rule?.usageCount == 1)
            #expect(first.rule?.version == 2)
            #expect(try await store.redeem(Fixtures.redemption("LIMITED", order: "o2")).code?.usageCount == 2)
            let third = try await store.redeem(Fixtures.redemption("LIMITED", order: "o3"))
            #expect(third.refusal == .usageLimitReached)
            #expect(third.code?.usageCount == 2)

            let stored = try #require(try await store.discountCode(projectID: rule.projectID, canonicalCode: "LIMITED"))
            #expect(stored.usageCount == 2)
            #expect(stored.version == 3)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 2)
        }
    }

    @Test(arguments: StoreFactory.all)
    func redeemStopsAtTheRuleLimitAcrossCodes(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = Fixtures.rule(usageLimit: 1)
            try await store.insertPriceRule(rule)
            try await store.insertDiscountCode(Fixtures.code("A", rule: rule))
            try await store.insertDiscountCode(Fixtures.code("B", rule: rule))
            #expect(try await store.redeem(Fixtures.redemption("A", order: "o1")).isRedeemed)
            #expect(try await store.redeem(Fixtures.redemption("B", order: "o2")).refusal == .usageLimitReached)
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "B")?.usageCount == 0)
        }
    }

    @Test(arguments: StoreFactory.all)
    func redeemHonoursTheRuleWindow(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = Fixtures.rule(startsAt: Fixtures.t0, endsAt: Fixtures.t0.adding(seconds: 100))
            try await store.insertPriceRule(rule)
            try await store.insertDiscountCode(Fixtures.code("WINDOW", rule: rule))
            let early = try await store.redeem(Fixtures.redemption("WINDOW", order: "o1", at: Fixtures.t0.adding(seconds: -1)))
            #expect(early.refusal == .notYetActive)
            let late = try await store.redeem(Fixtures.redemption("WINDOW", order: "o1", at: Fixtures.t0.adding(seconds: 100)))
            #expect(late.refusal == .expired)
            #expect(
                try await store.redeem(Fixtures.redemption("WINDOW", order: "o1", at: Fixtures.t0.adding(seconds: 99))).isRedeemed
            )
        }
    }

    @Test(arguments: StoreFactory.all)
    func redeemOncePerCustomerAcrossTheRulesCodes(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = Fixtures.rule(oncePerCustomer: true)
            try await store.insertPriceRule(rule)
            try await store.insertDiscountCode(Fixtures.code("ONCE-A", rule: rule))
            try await store.insertDiscountCode(Fixtures.code("ONCE-B", rule: rule))

            #expect(
                try await store.customerHasRedeemed(projectID: rule.projectID, priceRuleID: rule.id, customerID: "c1") == false)
            #expect(try await store.redeem(Fixtures.redemption("ONCE-A", order: "o1", customer: "c1")).isRedeemed)
            #expect(try await store.customerHasRedeemed(projectID: rule.projectID, priceRuleID: rule.id, customerID: "c1"))
            let again = try await store.redeem(Fixtures.redemption("ONCE-B", order: "o2", customer: "c1"))
            #expect(again.refusal == .alreadyUsedByCustomer)
            #expect(try await store.redeem(Fixtures.redemption("ONCE-B", order: "o3", customer: "c2")).isRedeemed)
            // Anonymous orders are not limited per customer.
            #expect(try await store.redeem(Fixtures.redemption("ONCE-B", order: "o4")).isRedeemed)

            // Rolling the first order back frees the customer.
            _ = try await store.rollbackRedemptions(projectID: rule.projectID, orderID: "o1", at: Fixtures.t0.adding(seconds: 70))
            #expect(
                try await store.customerHasRedeemed(projectID: rule.projectID, priceRuleID: rule.id, customerID: "c1") == false)
            #expect(try await store.redeem(Fixtures.redemption("ONCE-B", order: "o5", customer: "c1")).isRedeemed)
        }
    }

    @Test(arguments: StoreFactory.all)
    func redeemIsIdempotentPerOrderAndCode(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("TWICE", rule: rule, usageLimit: 1))
            let first = try await store.redeem(Fixtures.redemption("TWICE", order: "o1"))
            guard case .redeemed(let code, let counted) = first else {
                Issue.record("expected redeemed, got \(first)")
                return
            }
            // Even with the limit now reached, the same order gets its answer back.
            #expect(try await store.redeem(Fixtures.redemption("twice", order: "o1")) == .alreadyRedeemed(code, counted))
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "TWICE")?.usageCount == 1)
            #expect(try await store.redeem(Fixtures.redemption("NOPE", order: "o1")) == .codeNotFound)
            #expect(try await store.redeem(Fixtures.redemption("TWICE", order: "o1", project: "elsewhere")) == .codeNotFound)
        }
    }

    @Test(arguments: StoreFactory.all)
    func rollbackReleasesOnce(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = Fixtures.rule(usageLimit: 10)
            try await store.insertPriceRule(rule)
            try await store.insertDiscountCode(Fixtures.code("R1", rule: rule, usageLimit: 1))
            try await store.insertDiscountCode(Fixtures.code("R2", rule: rule))
            #expect(try await store.redeem(Fixtures.redemption("R1", order: "order-9")).isRedeemed)
            #expect(try await store.redeem(Fixtures.redemption("R2", order: "order-9")).isRedeemed)
            #expect(try await store.redeem(Fixtures.redemption("R2", order: "order-10")).isRedeemed)
            #expect(try await store.redeem(Fixtures.redemption("R1", order: "order-11")).refusal == .usageLimitReached)

            let released = try await store.rollbackRedemptions(
                projectID: rule.projectID, orderID: "order-9", at: Fixtures.t0.adding(seconds: 90)
            )
            #expect(Set(released.map(\.canonicalCode)) == ["R1", "R2"])
            #expect(released.first { $0.canonicalCode == "R1" }?.usageCount == 0)
            #expect(released.first { $0.canonicalCode == "R2" }?.usageCount == 1)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 1)

            let again = try await store.rollbackRedemptions(
                projectID: rule.projectID, orderID: "order-9", at: Fixtures.t0.adding(seconds: 91)
            )
            #expect(again.isEmpty)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 1)
            #expect(try await store.rollbackRedemptions(projectID: rule.projectID, orderID: "never", at: Fixtures.t0).isEmpty)

            // The released use can be taken again, even by the same order.
            #expect(try await store.redeem(Fixtures.redemption("R1", order: "order-11")).isRedeemed)
            #expect(try await store.redeem(Fixtures.redemption("R2", order: "order-9")).isRedeemed)
        }
    }

    @Test(arguments: StoreFactory.all)
    func concurrentRedeemsNeverPassTheLimit(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("RUSH", rule: rule, usageLimit: 50))
            let outcomes = try await withThrowingTaskGroup(of: RedemptionOutcome.self) { group in
                for i in 0..<200 {
                    group.addTask { try await store.redeem(Fixtures.redemption("rush", order: "order-\(i)")) }
                }
                return try await group.reduce(into: [RedemptionOutcome]()) { $0.append($1) }
            }
            #expect(outcomes.filter(\.isRedeemed).count == 50)
            #expect(outcomes.filter { $0.refusal == .usageLimitReached }.count == 150)
            #expect(Set(outcomes.filter(\.isRedeemed).compactMap { $0.code?.usageCount }) == Set(1...50))
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "RUSH")?.usageCount == 50)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 50)
        }
    }
}
