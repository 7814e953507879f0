import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Foundation
import Testing

/// CommissionStore on SQLite: the guarded get-or-create, the outbox across a
/// reopen, idempotent attribution.
@Suite struct SQLiteCommissionStoreTests {
    private func campaign(_ store: SQLiteStore, discount: Double = 15) async throws -> Campaign {
        try await store.insertCampaign(Campaign(
            id: 0, projectID: Project.defaultID, name: "Spring", discountPercent: discount, commissionPercent: 10,
            startsAt: Fixtures.t0, endsAt: nil, createdAt: Fixtures.t0, updatedAt: Fixtures.t0))
    }

    @Test func sixtyFourRacingGetOrCreatesMakeOneCode() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        let (agent, created) = try await store.registerAgent(projectID: Project.defaultID, name: "Acme", contact: nil, at: Fixtures.t0)
        #expect(created)
        #expect(try await store.registerAgent(projectID: Project.defaultID, name: "Acme", contact: nil, at: Fixtures.t0).0 == agent)
        let spring = try await campaign(store)
        let results = try await withThrowingTaskGroup(of: (AgentCode, Bool).self) { group in
            for _ in 0..<64 {
                group.addTask {
                    try await store.getOrCreateAgentCode(
                        projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: spring.id,
                        initial: .pending, at: Fixtures.t0)
                }
            }
            var results: [(AgentCode, Bool)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(Set(results.map(\.0.code)).count == 1)
        #expect(results.filter(\.1).count == 1, "exactly one caller created it")
        #expect(try await store.outboxDepth() == 1)
        await store.close()
    }

    @Test func pendingSyncSurvivesAReopenAndLeavesOnSuccess() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        var store = try fixture.openSQLite()
        let (agent, _) = try await store.registerAgent(projectID: Project.defaultID, name: "Acme", contact: nil, at: Fixtures.t0)
        let (code, _) = try await store.getOrCreateAgentCode(
            projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: try await campaign(store).id,
            initial: .pending, at: Fixtures.t0)
        try await store.recordSyncOutcome(
            codeID: code.id, state: ShopifySyncState(status: .failed, error: .shopifySyncFailed, attempts: 1),
            retryAt: Fixtures.t0.adding(seconds: 5))
        await store.close()

        store = try fixture.openSQLite()
        #expect(try await store.dueOutbox(now: Fixtures.t0, limit: 10).isEmpty, "not due before its retry time")
        let due = try await store.dueOutbox(now: Fixtures.t0.adding(seconds: 5), limit: 10)
        #expect(due.map(\.codeID) == [code.id] && due.first?.attempts == 1)
        try await store.recordSyncOutcome(
            codeID: code.id, state: ShopifySyncState(status: .synced, shopifyDiscountID: "gid://shopify/DiscountCodeNode/1", attempts: 2),
            retryAt: nil)
        #expect(try await store.outboxDepth() == 0)
        #expect(try await store.agentCode(id: code.id)?.sync.shopifyDiscountID == "gid://shopify/DiscountCodeNode/1")
        await store.close()
    }

    @Test func codesWithoutCredentialsSkipTheOutboxUntilCredentialsArrive() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        let (agent, _) = try await store.registerAgent(projectID: Project.defaultID, name: "Acme", contact: nil, at: Fixtures.t0)
        let (code, _) = try await store.getOrCreateAgentCode(
            projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: try await campaign(store).id,
            initial: ShopifySyncState(status: .skippedNoCredentials, error: .missingShopifyCredentials), at: Fixtures.t0)
        #expect(code.sync.status == .skippedNoCredentials && code.sync.error == .missingShopifyCredentials)
        #expect(try await store.outboxDepth() == 0)
        try await store.saveShopifyCredentials(ShopifyCredentials(
            projectID: Project.defaultID, shopDomain: "acme.myshopify.com", accessToken: "shpat_x",
            grantedScopes: ["write_discounts"], updatedAt: Fixtures.t0))
        #expect(try await store.requeueUnsynced(projectID: Project.defaultID, at: Fixtures.t0) == 1)
        #expect(try await store.projectID(shopDomain: "ACME.myshopify.com") == Project.defaultID)
        await store.close()
    }

    @Test func webhookDeliveriesAreRecordedOnce() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        let order = OrderInput(
            projectID: Project.defaultID, orderID: "1001", codes: ["NOPE"], subtotal: 100, currency: "USD",
            occurredAt: Fixtures.t0, state: .paid, at: Fixtures.t0)
        let first = try await store.recordWebhookOrder(order, webhookID: "wh-1")
        #expect(first?.created == true && first?.0.agentID == nil)
        #expect(try await store.recordWebhookOrder(order, webhookID: "wh-1") == nil)
        #expect(try await store.recordWebhookOrder(order, webhookID: "wh-2")?.created == false)
        await store.close()
    }
}
