import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Testing

extension StoreContract {
    @Test(arguments: StoreFactory.all)
    func priceRuleCRUD(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            var rule = Fixtures.rule(endsAt: Fixtures.t0.adding(seconds: 86_400), usageLimit: 10, oncePerCustomer: true)
            try await store.insertPriceRule(rule)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id) == rule)
            #expect(try await store.priceRule(projectID: "other", id: rule.id) == nil)
            await #expect(throws: StoreError.conflict("price rule \(rule.id)")) {
                try await store.insertPriceRule(rule)
            }

            rule.title = "Winter"
            rule.valueKind = .fixedAmount
            rule.value = 500
            rule.endsAt = nil
            rule.usageLimit = nil
            rule.usageCount = 999  // not editable
            rule.updatedAt = Fixtures.t0.adding(seconds: 1)
            let returned = try await store.updatePriceRule(rule)
            let stored = try #require(try await store.priceRule(projectID: rule.projectID, id: rule.id))
            #expect(returned == stored, "the answer is the rule as stored, with its new version")
            #expect(stored.title == "Winter")
            #expect(stored.valueKind == .fixedAmount)
            #expect(stored.value == 500)
            #expect(stored.endsAt == nil)
            #expect(stored.usageLimit == nil)
            #expect(stored.usageCount == 0)
            #expect(stored.updatedAt == rule.updatedAt)
            #expect(stored.createdAt == Fixtures.t0)
            #expect(stored.version == 2)

            var missing = Fixtures.rule()
            missing.title = "ghost"
            #expect(try await store.updatePriceRule(missing) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func priceRulesPageByIDWithoutGapsOrRepeats(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let other = Project(id: "other", name: "Other", createdAt: Fixtures.t0)
            try await store.insertProject(other)
            try await store.insertPriceRule(Fixtures.rule(project: "other"))
            var ids: [String] = []
            for _ in 0..<23 {
                let rule = Fixtures.rule()
                ids.append(rule.id)
                try await store.insertPriceRule(rule)
            }
            var seen: [String] = []
            var after: String?
            var pages = 0
            while true {
                let page = try await store.priceRules(projectID: Project.defaultID, after: after, limit: 5)
                #expect(page.count <= 5)
                if page.isEmpty { break }
                pages += 1
                seen += page.map(\.id)
                after = page.last?.id
            }
            #expect(pages == 5)
            #expect(seen == ids.sorted())
            #expect(try await store.priceRules(projectID: "other", after: nil, limit: 100).count == 1)
            #expect(try await store.priceRules(projectID: Project.defaultID, after: nil, limit: 0).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func deletingARuleTakesItsCodes(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let doomed = try await store.insertedRule()
            let kept = try await store.insertedRule()
            for i in 0..<7 { try await store.insertDiscountCode(Fixtures.code("DOOMED\(i)", rule: doomed)) }
            try await store.insertDiscountCode(Fixtures.code("KEPT", rule: kept))

            #expect(try await store.deletePriceRule(projectID: doomed.projectID, id: doomed.id) == 7)
            #expect(try await store.priceRule(projectID: doomed.projectID, id: doomed.id) == nil)
            #expect(try await store.discountCode(projectID: doomed.projectID, canonicalCode: "DOOMED3") == nil)
            #expect(try await store.countDiscountCodes(projectID: Project.defaultID) == 1)
            #expect(try await store.deletePriceRule(projectID: doomed.projectID, id: doomed.id) == nil)

            // The freed code text can be used again.
            try await store.insertDiscountCode(Fixtures.code("doomed3", rule: kept))
            // An empty rule deletes with zero codes.
            let empty = Fixtures.rule()
            try await store.insertPriceRule(empty)
            #expect(try await store.deletePriceRule(projectID: empty.projectID, id: empty.id) == 0)
        }
    }
}
