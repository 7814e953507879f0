import DiscountClient
import Foundation
import Testing

/// GetMyDiscountCode's Shopify sync against the fake Shopify over TLS:
/// retries, throttling, lost answers and the outbox. (Each documented sync
/// error code has its own test in ShopifySyncErrorCodeTests; trust and the
/// API version are in ShopifyTransportTests.)
@Suite struct ShopifySyncTests {
    @Test func syncedCodeCarriesShopifysID() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            let agent = try await client.registerAgent(name: "Acme")
            let campaign = try await client.makeCampaign(discount: 15)
            let code = try await client.myCode(agent.agentId, campaign)
            #expect(code.shopifySyncStatus == "synced")
            #expect(code.shopifySyncError == nil)
            let id = try #require(code.shopifyDiscountId)
            #expect(id.hasPrefix("gid://shopify/DiscountCodeNode/"))
            #expect(fake.discount(code: code.discountCode)?.id == id)
            #expect(fake.creates.first?.percentage == 0.15, "Shopify takes a fraction")
            #expect(fake.creates.first?.token == FakeShopify.goodToken)
            // Synced codes are not sent again.
            #expect(try await client.myCode(agent.agentId, campaign) == code)
            #expect(fake.creates.count == 1)
        }
    }

    @Test func shortThrottleIsWaitedOut() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            // (30 - 0) / 100 = 0.3 s.
            fake.script(.throttled(requested: 30, available: 0, restoreRate: 100))
            let code = try await client.newAgentCode()
            #expect(code.shopifySyncStatus == "synced")
            let creates = fake.creates
            #expect(creates.count == 2)
            if creates.count == 2 {
                #expect(creates[1].at - creates[0].at >= .milliseconds(290), "waited for the bucket to refill")
            }
        }
    }

    @Test func retryAfterIsHonoured() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.script(
                .http(status: 429, retryAfter: "0.4", body: #"{"errors":"Exceeded 2 calls per second for api client."}"#),
                .http(status: 429, retryAfter: "0.2"))
            let code = try await client.newAgentCode()
            #expect(code.shopifySyncStatus == "synced")
            let creates = fake.creates
            #expect(creates.count == 3)
            if creates.count == 3 {
                #expect(creates[1].at - creates[0].at >= .milliseconds(390))
                #expect(creates[2].at - creates[1].at >= .milliseconds(190))
            }
        }
    }

    @Test func serverErrorIsLookedUpBeforeCreatingAgain() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.script(.http(status: 502, body: "Bad Gateway"), .normal, .internalError)
            let code = try await client.newAgentCode()
            #expect(code.shopifySyncStatus == "synced")
            // 502 → lookup (absent) → create answers INTERNAL_SERVER_ERROR → lookup → create.
            #expect(fake.received.map(\.operation) == ["create", "lookup", "create", "lookup", "create"])
            #expect(fake.discountCount == 1)
        }
    }

    @Test func timeoutAfterCommitAdoptsTheCode() async throws {
        try await withShopify(timeout: 1.5) { _, client, fake in
            try await client.connectShop()
            // Shopify makes the code but answers after the client gave up.
            fake.scriptCreates(.slow(seconds: 4, then: .normal))
            let code = try await client.newAgentCode()
            #expect(code.shopifySyncStatus == "synced")
            // On a loaded machine an attempt may time out before it reaches the
            // fake, and a lookup may outlive the timeout too. Whatever the
            // sequence: every create after the first follows a lookup, the code
            // that timed out is found by a lookup, and it is made once.
            let operations = fake.received.map(\.operation)
            for (index, operation) in operations.enumerated() where operation == "create" && index > 0 {
                #expect(operations[index - 1] == "lookup", "\(operations)")
            }
            #expect(operations.contains("create") && operations.last == "lookup", "\(operations)")
            #expect(fake.discountCount == 1, "created once")
            #expect(code.shopifyDiscountId == fake.discount(code: code.discountCode)?.id)
        }
    }

    @Test func shopifyDownFailsThenNextCallSyncs() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.setMode(.http(status: 500, body: "oops"))
            let agent = try await client.registerAgent(name: "Acme")
            let campaign = try await client.makeCampaign()
            let code = try await client.myCode(agent.agentId, campaign)
            #expect(code.shopifySyncStatus == "failed" && code.shopifySyncError == "unexpected_shopify_discount_error")
            // create, then lookups (the create may have landed): three failures end the attempt.
            // (The worker may already be on its next attempt, after a short backoff.)
            #expect(fake.received.prefix(3).map(\.operation) == ["create", "lookup", "lookup"])
            fake.setMode(.normal)
            let synced = try await eventually {
                try await client.myCode(agent.agentId, campaign).shopifySyncStatus == "synced"
            }
            #expect(synced)
            #expect(fake.discountCount == 1)
        }
    }

    @Test func slowShopifyDoesNotHoldTheCallBeyondTheWait() async throws {
        try await withShopify(timeout: 20, syncWait: 0.3) { _, client, fake in
            try await client.connectShop()
            // Shopify answers after 8 s; the call waits 0.3 s for it. The bound
            // leaves seconds of slack for a loaded machine and still fails a
            // call that waited for the answer.
            fake.script(.slow(seconds: 8, then: .normal))
            let agent = try await client.registerAgent(name: "Acme")
            let campaign = try await client.makeCampaign()
            let started = ContinuousClock.now
            let code = try await client.myCode(agent.agentId, campaign)
            #expect(ContinuousClock.now - started < .seconds(6))
            // Still in flight: reported as failed, with the catch-all code, until a later call sees the outcome.
            #expect(code.shopifySyncStatus == "failed" && code.shopifySyncError == "shopify_sync_failed")
            // The attempt went on and stored its outcome.
            #expect(
                try await eventually(within: 30) {
                    try await client.myCode(agent.agentId, campaign).shopifySyncStatus == "synced"
                })
            #expect(fake.creates.count == 1)
        }
    }

    @Test func aHangingShopifyDoesNotHoldUpShutdown() async throws {
        let fake = try await FakeShopify.start()
        defer { Task { await fake.stop() } }
        fake.setMode(.slow(seconds: 30, then: .normal))
        let daemon = try await DaemonProcess.start(arguments: shopifyArguments(fake, timeout: 60, syncWait: 0.2))
        defer { daemon.remove() }
        let client = try await daemon.client()
        try await client.connectShop()
        _ = try await client.newAgentCode()
        await client.close()
        let started = ContinuousClock.now
        #expect(await daemon.stop() == 0)
        #expect(ContinuousClock.now - started < .seconds(8))
    }

    @Test func outboxSurvivesARestart() async throws {
        let fake = try await FakeShopify.start()
        defer { Task { await fake.stop() } }
        fake.setMode(.http(status: 500, body: "down"))
        let arguments = shopifyArguments(fake, syncWait: 0.2, backoff: 0.05)
        let first = try await DaemonProcess.start(arguments: arguments)
        defer { first.remove() }
        let client = try await first.client()
        try await client.connectShop()
        let agent = try await client.registerAgent(name: "Acme")
        let code = try await client.myCode(agent.agentId, try await client.makeCampaign())
        #expect(code.shopifySyncStatus == "failed")
        #expect(try await client.stats().syncQueueDepth == 1, "Admin.Stats counts the pending sync")
        await client.close()
        #expect(await first.stop() == 0)
        #expect(fake.discount(code: code.discountCode) == nil)

        // Shopify is back; a new daemon on the same data sends the pending code by itself.
        fake.setMode(.normal)
        let second = try DaemonProcess(arguments: arguments, directory: first.directory)
        try await second.start()
        #expect(await eventually(within: 15) { fake.discount(code: code.discountCode) != nil })
        let again = try await second.client()
        // Shopify has it; the outbox's own record of "synced" may land a
        // moment later (on a loaded CI, later than one call's sync wait).
        var after: AgentDiscountCode?
        let synced = try await eventually(within: 15) {
            after = try await again.myCode(agent.agentId, Campaign(campaignId: code.campaignId))
            return after?.shopifySyncStatus == "synced"
        }
        #expect(synced, "last answer: \(String(describing: after))")
        #expect(after?.discountCode == code.discountCode)
        await again.close()
        await second.stop()
    }
}
