import DiscountClient
import Foundation
import Testing

/// The README's Swift client example, run against a live daemon (so the
/// example compiles and does what it says).
@Suite struct ClientLibraryExampleTests {
    /// The README's example, word for word but for the socket path and the prints.
    static func readmeExample(socketPath: String) async throws -> (codes: [String], refusal: String) {
        // --- README: The Swift client library ---
        let client = try await DiscountClient.connect(
            socketPath: socketPath,
            options: .init(
                token: ProcessInfo.processInfo.environment["DISCOUNTD_TOKEN"], timeout: .seconds(5),
                requestID: "checkout-1"))

        // One connection, many concurrent calls; typed requests and responses.
        let agent = try await client.registerAgent(name: "Acme Sales")
        let mine = try await client.getMyDiscountCode(agentID: agent.agentId)
        let codes = mine.discountCodes.map(\.discountCode)

        let rule = try await client.createPriceRule(
            CreatePriceRuleRequest(title: "Summer", valueType: .percentage, value: 15),
            idempotencyKey: "summer-rule-1")  // sent again, the same rule comes back
        var refusal = ""
        do {
            _ = try await client.createDiscountCode(priceRuleID: rule.priceRule!.id, code: "SUMMER15")
            _ = try await client.createDiscountCode(priceRuleID: rule.priceRule!.id, code: "summer15")
        } catch let error as RPCError {
            // code .alreadyExists, message "…", detail?.reason "CODE_TAKEN", detail?.hint "…"
            refusal = "\(error.code.name) \(error.detail?.reason ?? "")"
        }
        await client.close()
        // --- end of the README example ---
        return (codes, refusal)
    }

    @Test func theReadmeExampleRuns() async throws {
        try await withTestDaemon { daemon in
            let setup = try await daemon.client()
            _ = try await setup.createCampaign(CreateCampaignRequest(name: "Spring", discountPercent: 15, commissionPercent: 10))
            await setup.close()
            let (codes, refusal) = try await Self.readmeExample(socketPath: daemon.socketPath)
            #expect(codes.count == 1 && codes[0].hasPrefix("CC-ACME-"), "\(codes)")
            #expect(refusal == "ALREADY_EXISTS CODE_TAKEN")
        }
    }

    @Test func aDerivedClientSharesTheConnectionWithItsOwnDeadline() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client(.init(timeout: .seconds(60)))
            let tight = client.with { $0.timeout = .milliseconds(50) }
            #expect(tight.options.timeout == .milliseconds(50) && client.options.timeout == .seconds(60))
            let pool = try #require(try await client.createVoucherPool(name: "Big").pool)
            var request = AddVoucherCodesRequest(poolId: pool.id)
            request.generator = CodeGenerator(count: 1_000_000, prefix: "", length: 12, charset: "")
            do {
                _ = try await tight.addVoucherCodes(request)
                Issue.record("a million codes take longer than 50 ms")
            } catch let error as RPCError {
                #expect(error.code == .deadlineExceeded, "\(error)")
            }
            let tagged = client.with { $0.requestID = "checkout-2" }
            #expect(try await tagged.health().status == .serving, "the same connection serves both")
            #expect(try await client.health().status == .serving)
            await client.close()
        }
    }
}
