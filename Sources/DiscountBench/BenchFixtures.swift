import DiscountClient

/// The data the scenarios call on, set up through the client on the daemon
/// under test: a price rule with a code to read and a code to redeem, a
/// voucher pool, an agent with its code in a campaign, and a range of agents
/// that have no code yet. `--json` of `discountctl bench fixtures` prints it
/// with every scenario's payload template, for scripts/load-test.
public struct BenchFixtures: Codable, Sendable, Equatable {
    public var priceRuleID: String = ""
    public var discountCodeID: String = ""
    public var lookupCode: String = ""
    public var redeemCode: String = ""
    public var poolID: String = ""
    public var voucherCodes: Int64 = 0
    public var agentID: Int64 = 0
    public var campaignID: Int64 = 0
    /// Agents `firstTimeAgentBase ..< firstTimeAgentBase + firstTimeAgents` have no code yet.
    public var firstTimeAgentBase: Int64 = 0
    public var firstTimeAgents: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case priceRuleID = "price_rule_id", discountCodeID = "discount_code_id", lookupCode = "lookup_code"
        case redeemCode = "redeem_code", poolID = "pool_id", voucherCodes = "voucher_codes", agentID = "agent_id"
        case campaignID = "campaign_id", firstTimeAgentBase = "first_time_agent_base"
        case firstTimeAgents = "first_time_agents"
    }

    public init() {}

    /// Usage limit of the redeemed code: enforced on every call, never reached in a run.
    public static let redeemUsageLimit: Int64 = 1_000_000_000_000

    /// What the scenarios need of the fixtures.
    public struct Needs: Sendable {
        public var voucherCodes: Int
        public var firstTimeAgents: Int
        public init(voucherCodes: Int, firstTimeAgents: Int) {
            self.voucherCodes = voucherCodes
            self.firstTimeAgents = firstTimeAgents
        }
    }

    /// Sets up what `scenarios` call on; `tag` keeps names apart from earlier runs' fixtures.
    public static func setUp(
        client: DiscountClient, socketPath: String, scenarios: Set<BenchScenario>, needs: Needs, tag: String,
        metadata: [(String, String)] = []
    ) async throws -> BenchFixtures {
        var all = scenarios
        if all.contains(.mixed) { all.formUnion(MixedWorkload.cycle) }
        var fixtures = BenchFixtures()
        if !all.isDisjoint(with: [.getDiscountCode, .lookupDiscountCode, .createDiscountCode, .redeemDiscountCode]) {
            let rule = try await client.createPriceRule(
                CreatePriceRuleRequest(title: "bench \(tag)", valueType: .percentage, value: 10))
            fixtures.priceRuleID = rule.priceRule?.id ?? ""
            fixtures.lookupCode = "BENCH-\(tag)-READ"
            let code = try await client.createDiscountCode(priceRuleID: fixtures.priceRuleID, code: fixtures.lookupCode)
            fixtures.discountCodeID = code.discountCodes.first?.id ?? ""
            fixtures.redeemCode = "BENCH-\(tag)-REDEEM"
            _ = try await client.createDiscountCode(
                priceRuleID: fixtures.priceRuleID, code: fixtures.redeemCode, usageLimit: redeemUsageLimit)
        }
        if all.contains(.assignVoucherCode) {
            let pool = try await client.createVoucherPool(name: "bench \(tag)")
            fixtures.poolID = pool.pool?.id ?? ""
            let result = try await client.addVoucherCodes(
                AddVoucherCodesRequest(
                    poolId: fixtures.poolID,
                    generator: CodeGenerator(count: Int32(needs.voucherCodes), prefix: "V\(tag)-", length: 10)),
                timeout: .seconds(1200))
            fixtures.voucherCodes = result.added
        }
        if !all.isDisjoint(with: [.getMyDiscountCodeExisting, .getMyDiscountCodeFirst]) {
            let campaign = try await client.createCampaign(
                CreateCampaignRequest(name: "bench \(tag)", discountPercent: 10, commissionPercent: 5))
            fixtures.campaignID = campaign.campaign?.campaignId ?? 0
            fixtures.agentID = try await client.registerAgent(name: "bench \(tag) agent").agentId
            _ = try await client.getMyDiscountCode(agentID: fixtures.agentID, campaignID: fixtures.campaignID)
        }
        if all.contains(.getMyDiscountCodeFirst) {
            (fixtures.firstTimeAgentBase, fixtures.firstTimeAgents) = try await registerAgents(
                needs.firstTimeAgents, client: client, socketPath: socketPath, tag: tag, metadata: metadata)
        }
        return fixtures
    }

    /// Registers `count` agents, pipelined; returns the first id of the range
    /// they got. The ids are consecutive only if nobody else registers at the
    /// same time, which the agents registered just before and after check.
    static func registerAgents(
        _ count: Int, client: DiscountClient, socketPath: String, tag: String, metadata: [(String, String)]
    ) async throws -> (base: Int64, count: Int64) {
        let before = try await client.registerAgent(name: "bench \(tag) first-time before").agentId
        if count > 0 {
            let template = PayloadTemplate(
                RegisterAgentRequest(agentName: "bench \(tag) new \(PayloadTemplate.placeholder)").encoded())
            let plan = LoadPlan(
                connections: 2, inFlight: 64, stop: .calls(UInt64(count)), runID: 0, metadata: metadata
            ) { _ in
                BenchCall(
                    service: CommissionRPC.registerAgent.service, method: CommissionRPC.registerAgent.name,
                    template: template)
            }
            let result = try await LoadRunner.run(socketPath: socketPath, plan: plan)
            guard result.errors.isEmpty, result.calls == UInt64(count) else {
                throw BenchError.setup("registering \(count) agents: \(result.calls) answered, errors \(result.errors)")
            }
        }
        let after = try await client.registerAgent(name: "bench \(tag) first-time after").agentId
        guard after - before == Int64(count) + 1 else {
            throw BenchError.setup(
                "the \(count) agents registered for first-time calls did not get consecutive ids "
                    + "(\(before) before, \(after) after): was another client registering agents?")
        }
        return (before + 1, Int64(count))
    }
}

public enum BenchError: Error, CustomStringConvertible {
    case setup(String)
    case usage(String)

    public var description: String {
        switch self {
        case .setup(let message): "setting up the fixtures failed: \(message)"
        case .usage(let message): message
        }
    }
}
