import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Foundation
import SystemRandom
import Testing

extension StoreContract {
    @Test(arguments: StoreFactory.all)
    func insertsCodesUniqueCaseInsensitively(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            let code = Fixtures.code("Summer10", rule: rule, usageLimit: 3, useWithOther: true)
            try await store.insertDiscountCode(code)
            #expect(try await store.discountCode(projectID: rule.projectID, id: code.id) == code)
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "SUMMER10") == code)
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "Summer10") == nil)
            #expect(try await store.discountCode(projectID: "other", id: code.id) == nil)

            await #expect(throws: StoreError.codeTaken("SUMMER10")) {
                try await store.insertDiscountCode(Fixtures.code("SUMMER10", rule: rule))
            }
            await #expect(throws: StoreError.codeTaken("summer10")) {
                try await store.insertDiscountCode(Fixtures.code("summer10", rule: Fixtures.rule(id: rule.id)))
            }
            #expect(try await store.countDiscountCodes(projectID: rule.projectID) == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func sameCodeTextIsFineInAnotherProject(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            try await store.insertProject(Project(id: "p2", name: "P2", createdAt: Fixtures.t0))
            let here = Fixtures.rule()
            let there = Fixtures.rule(project: "p2")
            try await store.insertPriceRule(here)
            try await store.insertPriceRule(there)
            try await store.insertDiscountCode(Fixtures.code("SHARED", rule: here))
            try await store.insertDiscountCode(Fixtures.code("shared", rule: there))
            #expect(try await store.discountCode(projectID: "p2", canonicalCode: "SHARED")?.code == "shared")
            #expect(try await store.countDiscountCodes(projectID: "p2") == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func updatesCodesAndRefusesAClash(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            var code = Fixtures.code("FIRST", rule: rule)
            try await store.insertDiscountCode(code)
            try await store.insertDiscountCode(Fixtures.code("SECOND", rule: rule))

            code = DiscountCode(
                id: code.id, projectID: code.projectID, priceRuleID: code.priceRuleID, code: "Renamed",
                useWithOther: true, usageLimit: 4, usageCount: 77, createdAt: code.createdAt,
                updatedAt: Fixtures.t0.adding(seconds: 9)
            )
            let returned = try await store.updateDiscountCode(code)
            let stored = try #require(try await store.discountCode(projectID: rule.projectID, canonicalCode: "RENAMED"))
            #expect(returned == stored, "the answer is the code as stored")
            #expect(stored.code == "Renamed")
            #expect(stored.useWithOther)
            #expect(stored.usageLimit == 4)
            #expect(stored.usageCount == 0)
            #expect(stored.updatedAt == code.updatedAt)
            #expect(stored.version == 2)
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "FIRST") == nil)

            var clash = stored
            clash.code = "second"
            clash.canonicalCode = "SECOND"
            await #expect(throws: StoreError.codeTaken("second")) { try await store.updateDiscountCode(clash) }
            #expect(try await store.discountCode(projectID: rule.projectID, id: code.id) == stored)

            var missing = Fixtures.code("GHOST", rule: rule)
            missing.useWithOther = true
            #expect(try await store.updateDiscountCode(missing) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func pagesAndDeletesCodes(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            let other = try await store.insertedRule()
            var ids: [String] = []
            for i in 0..<31 {
                let code = Fixtures.code("PAGE\(i)", rule: rule)
                ids.append(code.id)
                try await store.insertDiscountCode(code)
            }
            try await store.insertDiscountCode(Fixtures.code("ELSEWHERE", rule: other))

            var seen: [String] = []
            var after: String?
            repeat {
                let page = try await store.discountCodes(projectID: rule.projectID, priceRuleID: rule.id, after: after, limit: 8)
                #expect(page.allSatisfy { $0.priceRuleID == rule.id })
                seen += page.map(\.id)
                after = page.count == 8 ? page.last?.id : nil
            } while after != nil
            #expect(seen == ids.sorted())

            #expect(try await store.deleteDiscountCode(projectID: rule.projectID, id: ids[0]))
            #expect(try await store.deleteDiscountCode(projectID: rule.projectID, id: ids[0]) == false)
            #expect(try await store.discountCode(projectID: rule.projectID, id: ids[0]) == nil)
            #expect(try await store.countDiscountCodes(projectID: rule.projectID) == 31)
        }
    }

    @Test(arguments: StoreFactory.all)
    func batchInsertReportsDuplicatesInBatchAndStore(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("EXISTING", rule: rule))
            var batch = (0..<1000).map { Fixtures.code("BULK-\($0)", rule: rule) }
            batch.append(Fixtures.code("existing", rule: rule))
            batch.append(Fixtures.code("bulk-7", rule: rule))
            batch.append(Fixtures.code("Bulk-999", rule: rule))

            let rejected = try await store.insertDiscountCodes(batch)
            #expect(Set(rejected) == ["EXISTING", "BULK-7", "BULK-999"])
            #expect(rejected.count == 3)
            #expect(try await store.countDiscountCodes(projectID: rule.projectID) == 1001)
            // Of a repeated pair the lower id is kept: with time-ordered ids, the first.
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "BULK-7")?.code == "BULK-7")
            #expect(try await store.insertDiscountCodes([]) == [])
        }
    }

    @Test(arguments: StoreFactory.all)
    func batchInsertSpansSeveralTransactions(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            // Random (not time-ordered) ids, so the batch is not in id order.
            let generated = try CodeGenerator(prefix: "G", length: 10).generate(60_000)
            let codes = generated.map { Fixtures.code($0, rule: rule, id: UUID().uuidString.lowercased()) }
            #expect(try await store.insertDiscountCodes(codes).isEmpty)
            #expect(try await store.countDiscountCodes(projectID: rule.projectID) == 60_000)
            let sample = codes[31_337]
            #expect(try await store.discountCode(projectID: rule.projectID, id: sample.id) == sample)
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: sample.canonicalCode) == sample)
            let page = try await store.discountCodes(projectID: rule.projectID, priceRuleID: rule.id, after: nil, limit: 100)
            #expect(page.map(\.id) == Array(codes.map(\.id).sorted().prefix(100)))

            let again = Array(codes.suffix(10)).map { Fixtures.code($0.code.lowercased(), rule: rule) }
            #expect(Set(try await store.insertDiscountCodes(again)) == Set(codes.suffix(10).map(\.canonicalCode)))
        }
    }

    @Test(arguments: StoreFactory.all)
    func concurrentInsertsOfOneCodeInDifferentCaseAdmitOne(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            let spellings = ["race", "RACE", "Race", "rAce", "raCe", "racE", "RAce", "raCE", "rACE", "RacE"]
            let outcomes = await withTaskGroup(of: Result<Void, StoreError>.self) { group in
                for i in 0..<40 {
                    group.addTask {
                        do {
                            try await store.insertDiscountCode(Fixtures.code(spellings[i % spellings.count], rule: rule))
                            return .success(())
                        } catch let error as StoreError {
                            return .failure(error)
                        } catch {
                            return .failure(.failure("\(error)"))
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            let successes = outcomes.filter { if case .success = $0 { true } else { false } }
            let taken = outcomes.filter { if case .failure(.codeTaken) = $0 { true } else { false } }
            #expect(successes.count == 1)
            #expect(taken.count == 39)
            #expect(try await store.countDiscountCodes(projectID: rule.projectID) == 1)
        }
    }
}
