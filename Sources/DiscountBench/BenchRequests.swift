import DiscountProto

/// Every scenario's request, as a payload template over the fixtures.
public struct BenchRequests: Sendable {
    public let templates: [BenchScenario: PayloadTemplate]

    public init(fixtures: BenchFixtures) {
        var templates: [BenchScenario: PayloadTemplate] = [:]
        templates[.health] = PayloadTemplate(HealthCheckRequest().encoded())
        templates[.getDiscountCode] = PayloadTemplate(
            GetDiscountCodeRequest(priceRuleId: fixtures.priceRuleID, discountCodeId: fixtures.discountCodeID).encoded())
        templates[.lookupDiscountCode] = PayloadTemplate(LookupDiscountCodeRequest(code: fixtures.lookupCode).encoded())
        templates[.createDiscountCode] = PayloadTemplate(
            CreateDiscountCodeRequest(
                priceRuleId: fixtures.priceRuleID,
                discountCode: NewDiscountCode(code: "BENCH-\(PayloadTemplate.placeholder)")
            ).encoded())
        templates[.getMyDiscountCodeExisting] = PayloadTemplate(
            GetMyDiscountCodeRequest(agentId: fixtures.agentID, campaignId: fixtures.campaignID).encoded())
        // agent_id (field 1) as the ten-byte varint slot, campaign_id (field 2) as is.
        templates[.getMyDiscountCodeFirst] = PayloadTemplate(
            [0x08] + PayloadTemplate.varintPlaceholder + [0x10] + Self.varint(UInt64(fixtures.campaignID)))
        templates[.assignVoucherCode] = PayloadTemplate(
            AssignVoucherCodeRequest(poolId: fixtures.poolID, customerId: "C-\(PayloadTemplate.placeholder)").encoded())
        templates[.redeemDiscountCode] = PayloadTemplate(
            RedeemDiscountCodeRequest(code: fixtures.redeemCode, orderId: "O-\(PayloadTemplate.placeholder)").encoded())
        self.templates = templates
    }

    /// The call for sequence number `n` of `scenario`; with `echo`, the same
    /// payload goes to the Go peer's bench.Echo/Echo instead.
    public func call(_ scenario: BenchScenario, sequence: UInt64, echo: Bool) -> BenchCall {
        let actual = scenario == .mixed ? MixedWorkload.scenario(forCall: sequence) : scenario
        let (service, method) = echo ? ("bench.Echo", "Echo") : actual.call!
        return BenchCall(service: service, method: method, template: templates[actual]!)
    }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var out: [UInt8] = []
        repeat {
            let byte = UInt8(value & 0x7f)
            value >>= 7
            out.append(value == 0 ? byte : byte | 0x80)
        } while value != 0
        return out
    }
}
