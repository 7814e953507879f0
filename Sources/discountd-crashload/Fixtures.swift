import ArgumentParser
import DiscountClient
import Foundation

/// The objects the load writes under, created once by `setup`.
struct Fixtures: Codable {
    var priceRuleID: String
    var campaignID: Int64
    var poolID: String
    /// Usage limit of every discount code the load creates.
    var codeUsageLimit: Int64

    static func load(from path: String) throws -> Fixtures {
        try JSONDecoder().decode(Fixtures.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    func save(to path: String) throws {
        try JSONEncoder().encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// A price rule without limit, a campaign with a customer discount, and a
    /// voucher pool of `poolCodes` generated codes.
    static func create(client: DiscountClient, poolCodes: Int32, codeUsageLimit: Int64) async throws -> Fixtures {
        var rule = CreatePriceRuleRequest()
        rule.title = "crash-load"
        rule.valueType = .percentage
        rule.value = 10
        let priceRule = try await client.createPriceRule(rule)
        var campaign = CreateCampaignRequest()
        campaign.name = "crash-load"
        campaign.discountPercent = 10
        campaign.commissionPercent = 5
        let created = try await client.createCampaign(campaign)
        let pool = try await client.createVoucherPool(name: "crash-load-\(UInt32.random(in: 0...UInt32.max))")
        var add = AddVoucherCodesRequest()
        add.poolId = pool.pool?.id ?? ""
        var generator = CodeGenerator()
        generator.count = poolCodes
        generator.prefix = "CL-"
        generator.length = 10
        add.generator = generator
        _ = try await client.addVoucherCodes(add, timeout: .seconds(120))
        return Fixtures(
            priceRuleID: priceRule.priceRule?.id ?? "", campaignID: created.campaign?.campaignId ?? 0,
            poolID: pool.pool?.id ?? "", codeUsageLimit: codeUsageLimit)
    }
}

struct SetupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "setup", abstract: "Create the fixtures.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Voucher codes generated into the pool.")
    var poolCodes: Int32 = 200_000

    @Option(help: "Usage limit of each discount code the load creates.")
    var codeUsageLimit: Int64 = 3

    func run() async throws {
        let client = try await DiscountClient.connect(socketPath: common.socket, options: .init(timeout: .seconds(120)))
        let fixtures = try await Fixtures.create(client: client, poolCodes: poolCodes, codeUsageLimit: codeUsageLimit)
        await client.close()
        try fixtures.save(to: common.state)
        print("fixtures: rule \(fixtures.priceRuleID) campaign \(fixtures.campaignID) pool \(fixtures.poolID)")
    }
}
