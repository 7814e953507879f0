import DiscountClient

/// The writes of the mixed load. Each logs its acknowledgement before it
/// returns, so an ack counted is an ack on disk.
struct WriteOperations: Sendable {
    let client: DiscountClient
    let fixtures: Fixtures
    let log: AckLog
    let known: KnownObjects
    let counters: LoadCounters
    /// Soak: give every redemption back at once, so codes never reach their limit.
    let rollBackRedemptions: Bool
    /// Soak: codes and agents kept beyond this many are not created anew:
    /// codes are created and deleted again, agents' codes fetched again, so
    /// the store (and its page caches) stop growing but for the ledger.
    var keepAtMost: Int = .max

    /// One random write; `name` is unique to this call across runs.
    func any(name: String) async throws {
        switch Int.random(in: 0..<100) {
        case 0..<25: try await createCode(name: name)
        case 25..<55: try await redeem(name: name)
        case 55..<80: try await assign(name: name)
        default: try await agentCode(name: name)
        }
    }

    func createCode(name: String) async throws {
        let code = "CL-\(name)"
        let response = try await client.createDiscountCode(
            priceRuleID: fixtures.priceRuleID, code: code, usageLimit: fixtures.codeUsageLimit)
        guard let created = response.discountCodes.first, created.code == code else {
            counters.unexpected("CreateDiscountCode answered \(response.discountCodes.map(\.code)) for \(code)")
            return
        }
        if known.codeCount >= keepAtMost {
            var delete = DeleteDiscountCodeRequest()
            delete.priceRuleId = fixtures.priceRuleID
            delete.discountCodeId = created.id
            _ = try await client.deleteDiscountCode(delete)
            counters.acknowledged("code_created_deleted")
            return
        }
        try log.append(.code(code: code, id: created.id))
        known.add(code: code)
        counters.acknowledged("code")
    }

    func redeem(name: String) async throws {
        guard let code = known.randomCode() else { return try await createCode(name: name) }
        let order = "order-\(name)"
        let response = try await client.redeemDiscountCode(code: code, orderID: order, customerID: "cust-\(name)")
        guard response.redeemed, response.usageCount <= fixtures.codeUsageLimit else {
            counters.unexpected("RedeemDiscountCode \(code) \(order): redeemed \(response.redeemed) usage \(response.usageCount)")
            return
        }
        guard rollBackRedemptions else {
            try log.append(.redeem(code: code, order: order))
            counters.acknowledged("redeem")
            return
        }
        // Soak: the use is given back, so it is not an ack the checker should find live.
        let rolledBack = try await client.rollbackRedemption(orderID: order)
        guard rolledBack.released == 1 else {
            counters.unexpected("RollbackRedemption \(order) released \(rolledBack.released)")
            return
        }
        counters.acknowledged("redeem_rolled_back")
    }

    func assign(name: String) async throws {
        let customer = "cust-\(name)"
        let response = try await client.assignVoucherCode(poolID: fixtures.poolID, customerID: customer, usedBy: "crash-load")
        guard !response.alreadyAssigned, response.customerId == customer, !response.code.isEmpty else {
            counters.unexpected("AssignVoucherCode \(customer): \(response.code) already \(response.alreadyAssigned)")
            return
        }
        try log.append(.assign(customer: customer, code: response.code))
        counters.acknowledged("assign")
    }

    /// RegisterAgent, then GetMyDiscountCode for the load's campaign.
    func agentCode(name: String) async throws {
        if known.agentCount >= keepAtMost, let agent = known.randomAgent() {
            let mine = try await client.getMyDiscountCode(agentID: agent, campaignID: fixtures.campaignID)
            if mine.discountCodes.isEmpty { counters.unexpected("GetMyDiscountCode \(agent) answered no code") }
            counters.acknowledged("agentcode_again")
            return
        }
        let agentName = "agent-\(name)"
        let agent = try await client.registerAgent(name: agentName)
        try log.append(.agent(name: agentName, id: agent.agentId))
        known.add(agent: agent.agentId)
        counters.acknowledged("agent")
        let mine = try await client.getMyDiscountCode(agentID: agent.agentId, campaignID: fixtures.campaignID)
        guard let code = mine.discountCodes.first(where: { $0.campaignId == fixtures.campaignID }) else {
            counters.unexpected("GetMyDiscountCode \(agent.agentId): no code for campaign \(fixtures.campaignID)")
            return
        }
        try log.append(.agentCode(agentID: agent.agentId, campaignID: fixtures.campaignID, code: code.discountCode))
        counters.acknowledged("agentcode")
    }
}
