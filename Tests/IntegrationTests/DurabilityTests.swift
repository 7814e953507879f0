import DiscountClient
import Foundation
import ProcessSpawning
import Testing

/// Every acknowledged PriceRules / Admin write survives SIGKILL.
@Suite struct DurabilityTests {
    @Test func acknowledgedWritesSurviveSIGKILL() async throws {
        let first = try await DaemonProcess.start()
        defer { first.remove() }
        let owner = try await first.client(.init(timeout: .seconds(30)))

        // Rules, codes, a batch, redemptions, a rollback, a deletion, a token.
        let rule = try await owner.makeRule(title: "Durable", value: 30, endsAt: timestamp(fromNow: 86_400), usageLimit: 1000)
        let limited = try await owner.makeCode(rule, "DURABLE-LIMITED", useWithOther: true, usageLimit: 5)
        let open = try await owner.makeCode(rule, "DURABLE-OPEN")
        let doomed = try await owner.makeCode(rule, "DURABLE-DOOMED")
        let batch = try #require(
            try await owner.runBatch(
                .init(priceRuleId: rule.id, generator: CodeGenerator(count: 2000, prefix: "DUR-"))
            ).result)
        #expect(batch.created == 2000)
        let renamed = try #require(try await owner.updatePriceRule(.init(priceRuleId: rule.id, title: "Durable v2")).priceRule)
        _ = try await owner.deleteDiscountCode(.init(priceRuleId: rule.id, discountCodeId: doomed.id))

        let results = await concurrently(20) { index in
            try await owner.redeemDiscountCode(code: index < 8 ? "DURABLE-LIMITED" : "DURABLE-OPEN", orderID: "order-\(index)")
        }
        let acknowledged = results.compactMap(\.value)
        #expect(acknowledged.count == 17, "5 of 8 on the limited code, 12 on the open one")
        #expect(try await owner.rollbackRedemption(orderID: "order-10").released == 1)
        let idempotent = try await owner.createPriceRule(
            .init(title: "Keyed", valueType: .percentage, value: 5), idempotencyKey: "durable-key")

        let project = try #require(try await owner.createProject(name: "durable-project").project)
        let token = try await owner.createToken(projectID: project.id, scopes: ["read_price_rules", "write_price_rules"])
        let revokedToken = try await owner.createToken(projectID: project.id, scopes: ["read_price_rules"])
        _ = try await owner.revokeToken(id: revokedToken.tokenId)
        let tenant = try await first.client(.init(token: token.token))
        let tenantRule = try await tenant.makeRule(title: "Tenant")
        await tenant.close()
        await owner.close()

        // No goodbye: SIGKILL right after the last acknowledgement.
        first.signal(SIGKILL)
        #expect(await first.wait() == .signaled(SIGKILL))

        let second = try DaemonProcess(directory: first.directory)
        try await second.start()
        let client = try await second.client(.init(timeout: .seconds(30)))

        let storedRule = try await client.getPriceRule(id: rule.id).priceRule
        #expect(storedRule?.title == "Durable v2")
        #expect(storedRule?.value == 30 && storedRule?.usageLimit == 1000 && storedRule?.endsAt == renamed.endsAt)
        let codes = try await client.allCodes(of: rule.id)
        #expect(codes.count == 2002, "2 single codes + 2000 generated; the deleted one stays deleted")
        #expect(!codes.contains { $0.id == doomed.id })
        let storedLimited = try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: limited.id).discountCode
        #expect(storedLimited?.usageCount == 5)
        #expect(storedLimited?.usageLimit == 5 && storedLimited?.useWithOther == true)
        let storedOpen = try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: open.id).discountCode
        #expect(storedOpen?.usageCount == 11, "12 redemptions, one rolled back")

        // Redemptions are still known: replays stay replays, the limit still holds, the rollback is done.
        let replay = try await client.redeemDiscountCode(code: "DURABLE-OPEN", orderID: "order-9")
        #expect(!replay.redeemed && replay.usageCount == 11)
        await expectRPCError(.failedPrecondition, reason: "USAGE_LIMIT_REACHED") {
            try await client.redeemDiscountCode(code: "DURABLE-LIMITED", orderID: "order-new")
        }
        #expect(try await client.rollbackRedemption(orderID: "order-10").released == 0)
        await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND") {
            try await client.lookupDiscountCode(code: "DURABLE-DOOMED")
        }
        // The idempotency key still replays.
        #expect(
            try await client.createPriceRule(
                .init(title: "Keyed", valueType: .percentage, value: 5), idempotencyKey: "durable-key") == idempotent)

        // Tokens and their revocation survived.
        let tenantAgain = try await second.client(.init(token: token.token))
        #expect(try await tenantAgain.getPriceRule(id: tenantRule.id).priceRule?.title == "Tenant")
        let revoked = try await second.client(.init(token: revokedToken.token))
        await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "a revoked token after restart") {
            try await revoked.listPriceRules()
        }
        for c in [client, tenantAgain, revoked] { await c.close() }
        #expect(await second.stop() == 0)
    }
}
