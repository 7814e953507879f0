import Testing

@testable import DiscountBench

@Suite struct WorkloadTests {
    @Test func theMixIsEightyPercentReadsInEveryTenCalls() {
        for start in [UInt64(0), 7, 1_000_003] {
            let window = (start..<start + 10).map(MixedWorkload.scenario(forCall:))
            #expect(window.filter(\.isDurableWrite).count == 2)
            #expect(window.filter { $0 == .assignVoucherCode }.count == 1)
            #expect(window.filter { $0 == .redeemDiscountCode }.count == 1)
            #expect(!window.contains(.mixed))
        }
        #expect(MixedWorkload.writeShare == 0.2)
    }

    @Test func writesAreSpreadNotBunched() {
        // A write every fifth call, so that 64 calls in flight always hold about 13 writes.
        let writes = (0..<100).filter { MixedWorkload.scenario(forCall: UInt64($0)).isDurableWrite }
        #expect(zip(writes, writes.dropFirst()).allSatisfy { $1 - $0 == 5 })
    }

    @Test func placeholdersBecomeTheSameBase36NumberAsTtrpcBench() {
        let template = PayloadTemplate(Array("x@@@@@@@@@@@@y@@@@@@@@@@@@".utf8))
        #expect(template.placeholderOffsets == [1, 14])
        let payload = String(decoding: template.payload(sequence: 35, runID: 1), as: UTF8.self)
        // (1 << 40) | 35 = 1099511627811 = "0000E13WU1PF" in base 36 (python: same digits), twice.
        #expect(payload == "x0000E13WU1PFy0000E13WU1PF")
        #expect(String(decoding: PayloadTemplate.base36(35), as: UTF8.self) == "00000000000Z")
    }

    @Test func theVarintSlotDecodesToBasePlusSequence() {
        let template = PayloadTemplate([0x08] + PayloadTemplate.varintPlaceholder + [0x10, 0x07])
        #expect(template.varintOffset == 1)
        let bytes = template.payload(sequence: 5, runID: 9, varintBase: 300)
        var value: UInt64 = 0
        for (k, byte) in bytes[1...10].enumerated() { value |= UInt64(byte & 0x7f) << (7 * UInt64(k)) }
        #expect(value == 305)
        #expect(bytes[1...9].allSatisfy { $0 & 0x80 != 0 } && bytes[10] & 0x80 == 0)
        #expect(bytes.suffix(2) == [0x10, 0x07])
    }

    @Test func aConstantPayloadIsSentAsIs() {
        let template = PayloadTemplate([1, 2, 3])
        #expect(template.isConstant)
        #expect(template.payload(sequence: 99, runID: 3) == [1, 2, 3])
        #expect(template.hex == "010203")
    }

    @Test func everyScenarioButMixedIsOneMethodAndMixedPicksPerCall() {
        var fixtures = BenchFixtures()
        fixtures.campaignID = 300
        let requests = BenchRequests(fixtures: fixtures)
        for scenario in BenchScenario.allCases where scenario != .mixed {
            let call = requests.call(scenario, sequence: 0, echo: false)
            #expect(call.service == scenario.call?.service && call.method == scenario.call?.method)
        }
        #expect(requests.call(.mixed, sequence: 4, echo: false).method == "AssignVoucherCode")
        #expect(requests.call(.mixed, sequence: 4, echo: true).method == "Echo")
        // campaign_id 300 as a minimal varint after the ten-byte agent slot
        #expect(requests.templates[.getMyDiscountCodeFirst]!.bytes.suffix(3) == [0x10, 0xac, 0x02])
    }

    @Test func callQuotasSplitTheCallsEvenly() {
        let plan = LoadPlan(connections: 3, inFlight: 1, stop: .calls(10), runID: 0) { _ in
            BenchCall(service: "s", method: "m", template: PayloadTemplate([]))
        }
        #expect((0..<3).map { plan.callQuota(connection: $0) } == [4, 3, 3])
    }
}
