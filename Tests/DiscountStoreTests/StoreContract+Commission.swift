import DiscountCore
import DiscountStore
import Foundation
import Testing

/// Runs `body` against a fresh store of `factory`'s kind that also keeps commissions.
func withCommissionStore(
    _ factory: StoreFactory, _ body: (any Store & CommissionStore) async throws -> Void
) async throws {
    try await withStore(factory, keeping: (any Store & CommissionStore).self, body)
}

extension Fixtures {
    static func campaign(
        _ store: any CommissionStore, name: String = "Spring", discount: Double = 15, commission: Double = 10,
        endsAt: Instant? = nil, project: String = Project.defaultID
    ) async throws -> Campaign {
        try await store.insertCampaign(
            Campaign(
                id: 0, projectID: project, name: name, discountPercent: discount, commissionPercent: commission,
                startsAt: t0, endsAt: endsAt, createdAt: t0, updatedAt: t0))
    }

    static func agent(_ store: any CommissionStore, _ name: String = "Acme") async throws -> Agent {
        try await store.registerAgent(projectID: Project.defaultID, name: name, contact: nil, at: t0).0
    }

    static func order(
        _ id: String, codes: [String], subtotal: Int64 = 10_000, state: OrderState = .paid, at: Instant = t0
    ) -> OrderInput {
        OrderInput(
            projectID: Project.defaultID, orderID: id, codes: codes, subtotal: subtotal, currency: "USD", occurredAt: at,
            state: state, at: at)
    }
}

/// CommissionStore, on every backend: the guarded get-or-create, the outbox
/// across a reopen, idempotent attribution and the figures.
extension StoreContract {
    @Test(arguments: StoreFactory.all)
    func sixtyFourRacingGetOrCreatesMakeOneCode(_ factory: StoreFactory) async throws {
        try await withCommissionStore(factory) { store async throws in
            let (agent, created) = try await store.registerAgent(
                projectID: Project.defaultID, name: "Acme", contact: nil, at: Fixtures.t0)
            #expect(created)
            #expect(
                try await store.registerAgent(projectID: Project.defaultID, name: "Acme", contact: nil, at: Fixtures.t0) == (
                    agent, false
                ))
            let spring = try await Fixtures.campaign(store)
            let results = try await withThrowingTaskGroup(of: (AgentCode, Bool).self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        try await store.getOrCreateAgentCode(
                            projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: spring.id,
                            initial: .pending, at: Fixtures.t0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(Set(results.map(\.0)).count == 1)
            #expect(results.filter(\.1).count == 1, "exactly one caller created it")
            #expect(results[0].0.code.hasPrefix("CC-ACME-"))
            #expect(try await store.outboxDepth() == 1)
            #expect(
                try await store.agentCode(projectID: Project.defaultID, agentID: agent.id, campaignID: spring.id) == results[0].0)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aFirstCodeAskedPastItsDeadlineIsNotMade(_ factory: StoreFactory) async throws {
        try await withCommissionStore(factory) { store async throws in
            let agent = try await Fixtures.agent(store, "Zed 9")
            let spring = try await Fixtures.campaign(store)
            await #expect(throws: StoreError.deadlineExceeded) {
                try await store.getOrCreateAgentCode(
                    projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: spring.id,
                    initial: .pending, at: Fixtures.t0, options: WriteOptions(deadline: WriteDeadline(uptimeNanoseconds: 1)))
            }
            #expect(try await store.agentCode(projectID: Project.defaultID, agentID: agent.id, campaignID: spring.id) == nil)
            let (code, created) = try await store.getOrCreateAgentCode(
                projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: spring.id,
                initial: .pending, at: Fixtures.t0)
            #expect(created && code.code.hasPrefix("CC-ZED9-"))
        }
    }

    @Test(arguments: StoreFactory.all)
    func pendingSyncSurvivesAReopenAndLeavesOnSuccess(_ factory: StoreFactory) async throws {
        let fixture = try await factory.makeFixture()
        var store = try #require(try await fixture.open() as? any Store & CommissionStore)
        let agent = try await Fixtures.agent(store)
        let (code, _) = try await store.getOrCreateAgentCode(
            projectID: Project.defaultID, agentID: agent.id, agentName: agent.name,
            campaignID: try await Fixtures.campaign(store).id, initial: .pending, at: Fixtures.t0)
        try await store.recordSyncOutcome(
            codeID: code.id, state: ShopifySyncState(status: .failed, error: .shopifySyncFailed, attempts: 1),
            retryAt: Fixtures.t0.adding(seconds: 5))
        await store.close()

        store = try #require(try await fixture.open() as? any Store & CommissionStore)
        #expect(try await store.dueOutbox(now: Fixtures.t0, limit: 10).isEmpty, "not due before its retry time")
        #expect(try await store.nextOutboxDue() == Fixtures.t0.adding(seconds: 5))
        let due = try await store.dueOutbox(now: Fixtures.t0.adding(seconds: 5), limit: 10)
        #expect(due.map(\.codeID) == [code.id] && due.first?.attempts == 1)
        #expect(try await store.agentCode(id: code.id)?.sync.error == .shopifySyncFailed)
        try await store.recordSyncOutcome(
            codeID: code.id,
            state: ShopifySyncState(status: .synced, shopifyDiscountID: "gid://shopify/DiscountCodeNode/1", attempts: 2),
            retryAt: nil)
        #expect(try await store.outboxDepth() == 0)
        #expect(try await store.nextOutboxDue() == nil)
        let synced = try #require(try await store.agentCode(id: code.id))
        #expect(synced.sync.shopifyDiscountID == "gid://shopify/DiscountCodeNode/1" && synced.sync.status == .synced)
        #expect(synced.sync.attempts == 2 && synced.sync.error == nil)
        await store.close()
        await fixture.remove()
    }

    @Test(arguments: StoreFactory.all)
    func dueOutboxIsOldestFirstAndBounded(_ factory: StoreFactory) async throws {
        try await withCommissionStore(factory) { store async throws in
            let spring = try await Fixtures.campaign(store)
            var codes: [AgentCode] = []
            for index in 0..<4 {
                let agent = try await Fixtures.agent(store, "Agent\(index)")
                codes.append(
                    try await store.getOrCreateAgentCode(
                        projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: spring.id,
                        initial: .pending, at: Fixtures.t0.adding(seconds: Int64(10 - index))
                    ).0)
            }
            let due = try await store.dueOutbox(now: Fixtures.t0.adding(seconds: 100), limit: 3)
            #expect(due.map(\.codeID) == [codes[3].id, codes[2].id, codes[1].id])
            #expect(try await store.nextOutboxDue() == Fixtures.t0.adding(seconds: 7))
            #expect(try await store.outboxDepth() == 4)
        }
    }

    @Test(arguments: StoreFactory.all)
    func codesWithoutCredentialsSkipTheOutboxUntilCredentialsArrive(_ factory: StoreFactory) async throws {
        try await withCommissionStore(factory) { store async throws in
            let agent = try await Fixtures.agent(store)
            let (code, _) = try await store.getOrCreateAgentCode(
                projectID: Project.defaultID, agentID: agent.id, agentName: agent.name,
                campaignID: try await Fixtures.campaign(store).id,
                initial: ShopifySyncState(status: .skippedNoCredentials, error: .missingShopifyCredentials), at: Fixtures.t0)
            #expect(code.sync.status == .skippedNoCredentials && code.sync.error == .missingShopifyCredentials)
            #expect(try await store.outboxDepth() == 0)
            #expect(try await store.shopifyCredentials(projectID: Project.defaultID) == nil)
            let credentials = ShopifyCredentials(
                projectID: Project.defaultID, shopDomain: "acme.myshopify.com", accessToken: "shpat_x",
                grantedScopes: ["write_discounts", "read_orders"], updatedAt: Fixtures.t0)
            try await store.saveShopifyCredentials(credentials)
            #expect(try await store.shopifyCredentials(projectID: Project.defaultID) == credentials)
            #expect(try await store.requeueUnsynced(projectID: Project.defaultID, at: Fixtures.t0) == 1)
            #expect(try await store.outboxDepth() == 1)
            #expect(try await store.projectID(shopDomain: "ACME.myshopify.com") == Project.defaultID)
            #expect(try await store.projectID(shopDomain: "other.myshopify.com") == nil)
            do {
                var elsewhere = credentials
                elsewhere.projectID = "missing"
                try await store.saveShopifyCredentials(elsewhere)
                Issue.record("credentials for a missing project were saved")
            } catch let error as StoreError {
                guard case .failure(let message) = error, message.contains("does not exist") else { throw error }
            }
        }
    }

    @Test(arguments: StoreFactory.all)
    func agentsAreOnePerNameAndScopedToTheirProject(_ factory: StoreFactory) async throws {
        try await withCommissionStore(factory) { store async throws in
            try await store.insertProject(Project(id: "acme", name: "Acme", createdAt: Fixtures.t0))
            let (ann, created) = try await store.registerAgent(
                projectID: Project.defaultID, name: "Ann", contact: "ann@example.com", at: Fixtures.t0)
            #expect(created && ann.contact == "ann@example.com" && ann.registeredAt == Fixtures.t0)
            let (again, createdAgain) = try await store.registerAgent(
                projectID: Project.defaultID, name: "Ann", contact: "other", at: Fixtures.t0.adding(seconds: 1))
            #expect(!createdAgain && again == ann, "the first registration stands")
            let (elsewhere, _) = try await store.registerAgent(projectID: "acme", name: "Ann", contact: nil, at: Fixtures.t0)
            #expect(elsewhere.id != ann.id)
            #expect(try await store.agent(projectID: Project.defaultID, id: ann.id) == ann)
            #expect(try await store.agent(projectID: "acme", id: ann.id) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func campaignsUpdateAndPageSkippingEndedOnes(_ factory: StoreFactory) async throws {
        try await withCommissionStore(factory) { store async throws in
            var spring = try await Fixtures.campaign(store, name: "Spring", endsAt: Fixtures.t0.adding(seconds: 100))
            let summer = try await Fixtures.campaign(store, name: "Summer")
            let autumn = try await Fixtures.campaign(store, name: "Autumn", endsAt: Fixtures.t0.adding(seconds: 500))
            #expect(spring.id < summer.id && summer.id < autumn.id)
            #expect(try await store.campaign(projectID: Project.defaultID, id: summer.id) == summer)
            #expect(try await store.campaign(projectID: "acme", id: summer.id) == nil)

            spring.name = "Early spring"
            spring.commissionPercent = 12.5
            spring.updatedAt = Fixtures.t0.adding(seconds: 3)
            #expect(try await store.updateCampaign(spring))
            #expect(try await store.campaign(projectID: Project.defaultID, id: spring.id) == spring)
            var ghost = spring
            ghost.id = autumn.id + 100
            #expect(try await store.updateCampaign(ghost) == false)

            let all = try await store.campaigns(projectID: Project.defaultID, notEndedAt: nil, after: nil, limit: 10)
            #expect(all == [spring, summer, autumn])
            let running = try await store.campaigns(
                projectID: Project.defaultID, notEndedAt: Fixtures.t0.adding(seconds: 100), after: nil, limit: 10)
            #expect(running.map(\.id) == [summer.id, autumn.id], "a campaign ending at that instant has ended")
            let second = try await store.campaigns(projectID: Project.defaultID, notEndedAt: nil, after: spring.id, limit: 1)
            #expect(second == [summer])
            #expect(try await store.campaigns(projectID: Project.defaultID, notEndedAt: nil, after: nil, limit: 0).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func ordersAreAttributedOnceAndCounted(_ factory: StoreFactory) async throws {
        try await withCommissionStore(factory) { store async throws in
            let ann = try await Fixtures.agent(store, "Ann")
            let bob = try await Fixtures.agent(store, "Bob")
            let spring = try await Fixtures.campaign(store, commission: 10)
            let annCode = try await store.getOrCreateAgentCode(
                projectID: Project.defaultID, agentID: ann.id, agentName: ann.name, campaignID: spring.id, initial: .pending,
                at: Fixtures.t0
            ).0
            let bobCode = try await store.getOrCreateAgentCode(
                projectID: Project.defaultID, agentID: bob.id, agentName: bob.name, campaignID: spring.id, initial: .pending,
                at: Fixtures.t0
            ).0

            // The first agent code among the order's codes, matched case-insensitively.
            let (first, created) = try await store.recordOrder(
                Fixtures.order("1001", codes: ["SUMMER10", annCode.code.lowercased(), bobCode.code], state: .pending))
            #expect(created && first.agentID == ann.id && first.campaignID == spring.id && first.matchedCode == annCode.code)
            #expect(first.commission == 0, "nothing is owed on a pending order")
            // A replay changes nothing; a new status updates the commission but not the agent.
            #expect(
                try await store.recordOrder(
                    Fixtures.order("1001", codes: [annCode.code], state: .pending)) == (first, false))
            let (paid, createdAgain) = try await store.recordOrder(Fixtures.order("1001", codes: [bobCode.code]))
            #expect(!createdAgain && paid.agentID == ann.id && paid.state == .paid && paid.commission == 1_000)
            _ = try await store.recordOrder(Fixtures.order("1002", codes: [annCode.code], subtotal: 2_500, state: .pending))
            _ = try await store.recordOrder(Fixtures.order("1003", codes: [annCode.code], state: .cancelled))
            _ = try await store.recordOrder(
                Fixtures.order("1004", codes: [annCode.code], subtotal: 5_000, at: Fixtures.t0.adding(seconds: 3600)))
            let (unattributed, _) = try await store.recordOrder(Fixtures.order("1005", codes: ["NOPE"]))
            #expect(unattributed.agentID == nil && unattributed.commission == 0)

            let figures = try await store.commissions(projectID: Project.defaultID, agentID: ann.id, since: nil, until: nil)
            #expect(
                figures == [
                    CommissionFigures(
                        campaignID: spring.id, campaignName: "Spring", currency: "USD", orders: 3, sales: 15_000,
                        commission: 1_500)
                ])
            let early = try await store.commissions(
                projectID: Project.defaultID, agentID: ann.id, since: Fixtures.t0, until: Fixtures.t0.adding(seconds: 3600))
            #expect(early.first?.sales == 10_000 && early.first?.orders == 2)
            #expect(try await store.commissions(projectID: Project.defaultID, agentID: bob.id, since: nil, until: nil).isEmpty)
        }
    }

    @Test(arguments: StoreFactory.all)
    func webhookDeliveriesAreRecordedOnce(_ factory: StoreFactory) async throws {
        try await withCommissionStore(factory) { store async throws in
            let order = Fixtures.order("1001", codes: ["NOPE"])
            let first = try await store.recordWebhookOrder(order, webhookID: "wh-1")
            #expect(first?.created == true && first?.0.agentID == nil)
            #expect(try await store.recordWebhookOrder(order, webhookID: "wh-1") == nil)
            #expect(try await store.recordWebhookOrder(order, webhookID: "wh-2")?.created == false)
        }
    }
}
