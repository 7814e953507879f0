import ArgumentParser
import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import SystemRandom

/// One durable write of the daemon's, as its call path makes it (an async
/// store call in a task): the `n`th call's write, and whom to tell after the commit.
typealias StoreWrite = @Sendable (_ n: Int, _ done: @escaping @Sendable (Bool) -> Void) -> Void

/// What a scenario's writes need, made through the store before the run, so
/// the store's writes and the bare engine's (`BareSQLiteFloor`) start from the same rows.
enum StoreFixture: Sendable {
    case rule(PriceRule)
    /// The one code every redemption uses (orders differ).
    case codeToRedeem(DiscountCode)
    case pool(VoucherPool)
    case campaign(Campaign, agents: [Agent])
}

/// The daemon's durable-write scenarios of scripts/load-test, on the store alone.
enum StoreScenario: String, ExpressibleByArgument, CaseIterable {
    case createDiscountCode = "create-discount-code"
    case assignVoucherCode = "assign-voucher-code"
    case redeemDiscountCode = "redeem-discount-code"
    case getMyDiscountCodeFirst = "get-my-discount-code-first"

    /// Sets up what `expectedWrites` writes need (a rule, a pool of codes, registered agents…).
    func setUp(_ store: SQLiteStore, expectedWrites: Int) async throws -> StoreFixture {
        let project = Project.defaultID
        let now = Instant.now()
        switch self {
        case .createDiscountCode, .redeemDiscountCode:
            let rule = PriceRule(
                id: TimeOrderedID.make(), projectID: project, title: "bench", valueKind: .percentage, value: 10,
                startsAt: now, createdAt: now, updatedAt: now)
            try await store.insertPriceRule(rule)
            if self == .createDiscountCode { return .rule(rule) }
            let code = DiscountCode(
                id: TimeOrderedID.make(), projectID: project, priceRuleID: rule.id, code: "STORE-BENCH-REDEEM",
                createdAt: now, updatedAt: now)
            try await store.insertDiscountCode(code)
            return .codeToRedeem(code)
        case .assignVoucherCode:
            let pool = VoucherPool(id: TimeOrderedID.make(), projectID: project, name: "bench", createdAt: now)
            try await store.insertVoucherPool(pool)
            var added = 0
            while added < expectedWrites {
                let count = min(100_000, expectedWrites - added)
                let codes = (added..<added + count).map { VoucherCodeText("V-\($0)") }
                _ = try await store.addVoucherCodes(projectID: project, poolID: pool.id, codes: codes)
                added += count
            }
            return .pool(pool)
        case .getMyDiscountCodeFirst:
            let campaign = try await store.insertCampaign(
                Campaign(
                    id: 0, projectID: project, name: "bench", discountPercent: 10, commissionPercent: 5, startsAt: now,
                    endsAt: nil, createdAt: now, updatedAt: now))
            // Each write needs an agent without a code: up to 75k first-time codes a second.
            return .campaign(campaign, agents: try await Self.registerAgents(store, count: expectedWrites / 2))
        }
    }

    /// The `n`th write through the store, from what `setUp` made.
    static func write(to store: SQLiteStore, using fixture: StoreFixture) -> StoreWrite {
        let project = Project.defaultID
        switch fixture {
        case .rule(let rule):
            return { n, done in
                let at = Instant.now()
                let code = DiscountCode(
                    id: TimeOrderedID.make(), projectID: project, priceRuleID: rule.id, code: "STORE-BENCH-\(n)",
                    createdAt: at, updatedAt: at)
                Task { done((try? await store.insertDiscountCode(code)) != nil) }
            }
        case .codeToRedeem(let code):
            return { n, done in
                let request = RedemptionRequest(
                    projectID: project, canonicalCode: code.canonicalCode, orderID: "order-\(n)", customerID: nil, at: .now())
                Task {
                    if case .redeemed? = try? await store.redeem(request) { done(true) } else { done(false) }
                }
            }
        case .pool(let pool):
            return { n, done in
                let assignment = VoucherAssignment(
                    projectID: project, poolID: pool.id, customerID: "customer-\(n)", usedBy: "", at: .now())
                Task {
                    if case .assigned? = try? await store.assignVoucherCode(assignment) { done(true) } else { done(false) }
                }
            }
        case .campaign(let campaign, let agents):
            let skipped = ShopifySyncState(status: .skippedNoCredentials, error: .missingShopifyCredentials)
            return { n, done in
                let agent = agents[n % agents.count]
                Task {
                    let made = try? await store.getOrCreateAgentCode(
                        projectID: project, agentID: agent.id, agentName: agent.name, campaignID: campaign.id,
                        initial: skipped, at: .now())
                    done(made?.created == true)
                }
            }
        }
    }

    /// Agents for first-time codes, registered 256 at a time.
    private static func registerAgents(_ store: SQLiteStore, count: Int) async throws -> [Agent] {
        try await withThrowingTaskGroup(of: Agent.self) { group in
            var ids: [Agent] = []
            ids.reserveCapacity(count)
            for start in stride(from: 0, to: count, by: 256) {
                for n in start..<min(start + 256, count) {
                    group.addTask {
                        try await store.registerAgent(projectID: Project.defaultID, name: "agent-\(n)", contact: nil, at: .now())
                            .0
                    }
                }
                while let id = try await group.next() { ids.append(id) }
            }
            return ids
        }
    }
}
