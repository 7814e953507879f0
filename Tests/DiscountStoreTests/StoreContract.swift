import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Testing

/// The behaviour every `Store` backend owes the services, written against the
/// protocol only. Each test runs once per factory in `StoreFactory.all`.
/// The areas live in the `StoreContract+…` files.
@Suite struct StoreContract {}

// MARK: Projects and tokens

extension StoreContract {
    @Test(arguments: StoreFactory.all)
    func defaultProjectExists(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let project = try #require(try await store.project(id: Project.defaultID))
            #expect(project.name == "default")
            #expect(try await store.projects().map(\.id) == [Project.defaultID])
        }
    }

    @Test(arguments: StoreFactory.all)
    func insertsProjectsAndRefusesTakenIDsAndNames(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let acme = Project(id: "acme", name: "Acme", createdAt: Fixtures.t0)
            try await store.insertProject(acme)
            #expect(try await store.project(id: "acme") == acme)
            #expect(try await store.projects().map(\.id) == ["acme", Project.defaultID])

            await #expect(throws: StoreError.self) {
                try await store.insertProject(Project(id: "acme", name: "Other", createdAt: Fixtures.t0))
            }
            do {
                try await store.insertProject(Project(id: "acme2", name: "Acme", createdAt: Fixtures.t0))
                Issue.record("a taken name was accepted")
            } catch let error as StoreError {
                guard case .conflict = error else { throw error }
            }
            #expect(try await store.project(id: "acme2") == nil)
            #expect(try await store.project(id: "nope") == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func storesTokensAndRevokesOnce(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let token = Fixtures.token()
            try await store.insertToken(token)
            #expect(try await store.token(secretHash: token.secretHash) == token)
            #expect(try await store.token(id: token.id) == token)
            #expect(try await store.token(secretHash: "unknown") == nil)

            let first = Fixtures.t0.adding(seconds: 10)
            let revoked = try #require(try await store.revokeToken(id: token.id, at: first))
            #expect(revoked.revokedAt == first)
            #expect(revoked.scopes == token.scopes)
            let again = try #require(try await store.revokeToken(id: token.id, at: first.adding(seconds: 99)))
            #expect(again.revokedAt == first)
            #expect(try await store.token(id: token.id)?.revokedAt == first)
            #expect(try await store.revokeToken(id: "missing", at: first) == nil)

            var clash = Fixtures.token(hash: token.secretHash)
            clash.name = "clash"
            await #expect(throws: StoreError.self) { try await store.insertToken(clash) }
        }
    }
}

// MARK: Idempotency records and durability

extension StoreContract {
    @Test(arguments: StoreFactory.all)
    func idempotencyRecordKeepsTheFirstAnswer(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            #expect(try await store.idempotencyRecord(projectID: Project.defaultID, key: "k1") == nil)
            let first = IdempotencyRecord(
                projectID: Project.defaultID, key: "k1", method: "discountd.v1.PriceRules/CreatePriceRule",
                requestHash: "aa", response: [1, 2, 3], createdAt: Fixtures.t0
            )
            #expect(try await store.saveIdempotencyRecord(first) == first)
            var second = first
            second.requestHash = "bb"
            second.response = [9]
            second.createdAt = Fixtures.t0.adding(seconds: 5)
            #expect(try await store.saveIdempotencyRecord(second) == first)
            #expect(try await store.idempotencyRecord(projectID: Project.defaultID, key: "k1") == first)

            // An empty response is kept as empty, not lost.
            let empty = IdempotencyRecord(
                projectID: Project.defaultID, key: "k2", method: "m", requestHash: "cc", response: [], createdAt: Fixtures.t0
            )
            #expect(try await store.saveIdempotencyRecord(empty) == empty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func purgeDeletesOnlyRecordsCreatedBeforeTheCutoffInChunks(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            for i in 0..<25 {
                _ = try await store.saveIdempotencyRecord(
                    IdempotencyRecord(
                        projectID: Project.defaultID, key: "k\(i)", method: "m", requestHash: "h", response: [UInt8(i)],
                        createdAt: Fixtures.t0.adding(seconds: Int64(i))))
            }
            let cutoff = Fixtures.t0.adding(seconds: 20)  // k0 … k19 are older
            #expect(try await store.purgeIdempotencyRecords(createdBefore: cutoff, limit: 8) == 8)
            // Oldest first.
            #expect(try await store.idempotencyRecord(projectID: Project.defaultID, key: "k7") == nil)
            #expect(try await store.idempotencyRecord(projectID: Project.defaultID, key: "k8") != nil)
            #expect(try await store.purgeIdempotencyRecords(createdBefore: cutoff, limit: 8) == 8)
            #expect(try await store.purgeIdempotencyRecords(createdBefore: cutoff, limit: 8) == 4)
            #expect(try await store.purgeIdempotencyRecords(createdBefore: cutoff, limit: 8) == 0)
            for i in 0..<25 {
                let kept = try await store.idempotencyRecord(projectID: Project.defaultID, key: "k\(i)")
                #expect((kept != nil) == (i >= 20), "k\(i)")
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func concurrentIdempotencySavesKeepOne(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let kept = try await withThrowingTaskGroup(of: IdempotencyRecord.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        try await store.saveIdempotencyRecord(
                            IdempotencyRecord(
                                projectID: Project.defaultID, key: "race", method: "m", requestHash: "h\(i)",
                                response: [UInt8(i)], createdAt: Fixtures.t0
                            ))
                    }
                }
                return try await group.reduce(into: Set<IdempotencyRecord>()) { $0.insert($1) }
            }
            #expect(kept.count == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func dataSurvivesCloseAndReopen(_ factory: StoreFactory) async throws {
        let fixture = try await factory.makeFixture()
        let rule = Fixtures.rule(usageLimit: 5)
        let code = Fixtures.code("Durable1", rule: rule)
        let token = Fixtures.token()
        let project = Project(id: "p2", name: "Second", createdAt: Fixtures.t0)
        do {
            let store = try await fixture.open()
            try await store.insertProject(project)
            try await store.insertToken(token)
            try await store.insertPriceRule(rule)
            try await store.insertDiscountCode(code)
            #expect(try await store.redeem(Fixtures.redemption("durable1", order: "o1")).isRedeemed)
            await store.close()
            await #expect(throws: StoreError.closed) { try await store.project(id: "p2") }
            await #expect(throws: StoreError.closed) { try await store.insertProject(project) }
        }
        let store = try await fixture.open()
        #expect(try await store.project(id: "p2") == project)
        #expect(try await store.token(secretHash: token.secretHash) == token)
        #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 1)
        let stored = try #require(try await store.discountCode(projectID: rule.projectID, canonicalCode: "DURABLE1"))
        #expect(stored.usageCount == 1)
        #expect(stored.code == "Durable1")
        #expect(
            try await store.redeem(Fixtures.redemption("DURABLE1", order: "o1"))
                == .alreadyRedeemed(stored, try #require(try await store.priceRule(projectID: rule.projectID, id: rule.id))))
        await store.close()
        await fixture.remove()
    }
}
