import DiscountClient
import Foundation
import Testing

/// Every way a Shopify sync can fail, over TLS against the fake Shopify, and
/// the documented sync error code each one comes back as:
///
/// | cause                                              | shopify_sync_error                |
/// |----------------------------------------------------|-----------------------------------|
/// | no credentials stored                              | missing_shopify_credentials       |
/// | 401, or the token is no longer valid               | missing_shopify_credentials       |
/// | ACCESS_DENIED, 403, or a scope not granted         | shopify_scope_missing             |
/// | TAKEN by a discount that is not ours               | discount_code_conflict            |
/// | THROTTLED or 429 after the allowed retries         | shopify_rate_limited              |
/// | a userErrors rejection other than TAKEN            | shopify_sync_failed               |
/// | 5xx, timeout, an unparseable answer, a TLS failure | unexpected_shopify_discount_error |
///
/// (The TLS rows are in ShopifyTransportTests.)
@Suite struct ShopifySyncErrorCodeTests {
    /// The first code of a new agent on a new campaign.
    private func firstCode(_ client: DiscountClient) async throws -> AgentDiscountCode {
        let agent = try await client.registerAgent(name: "Acme")
        return try await client.myCode(agent.agentId, try await client.makeCampaign())
    }

    /// The first code, expected to have failed to reach Shopify with `error`.
    @discardableResult
    private func firstCode(
        _ client: DiscountClient, failsWith error: String, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> AgentDiscountCode {
        let code = try await firstCode(client)
        #expect(
            code.shopifySyncStatus == "failed" && code.shopifySyncError == error, sourceLocation: sourceLocation)
        return code
    }

    // MARK: missing_shopify_credentials

    @Test func noCredentialsIsSkippedThenRetriedOnTheNextCall() async throws {
        try await withShopify { _, client, fake in
            let agent = try await client.registerAgent(name: "Acme")
            let campaign = try await client.makeCampaign()
            let first = try await client.myCode(agent.agentId, campaign)
            #expect(first.shopifySyncStatus == "skipped_no_credentials")
            #expect(first.shopifySyncError == "missing_shopify_credentials")
            #expect(fake.received.isEmpty)
            try await client.connectShop()
            let second = try await client.myCode(agent.agentId, campaign)
            #expect(second.discountCode == first.discountCode)
            #expect(second.shopifySyncStatus == "synced" && second.shopifySyncError == nil)
        }
    }

    @Test func unknownTokenIsMissingCredentials() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop(token: "shpat_never_issued")
            try await firstCode(client, failsWith: "missing_shopify_credentials")
            #expect(fake.received.map(\.operation) == ["create"], "a 401 is not retried")
        }
    }

    @Test func revokedTokenIsMissingCredentials() async throws {
        try await withShopify { _, client, fake in
            fake.addToken("shpat_soon_revoked", scopes: ["read_discounts", "write_discounts"])
            try await client.connectShop(token: "shpat_soon_revoked")
            let agent = try await client.registerAgent(name: "Acme")
            let before = try await client.myCode(agent.agentId, try await client.makeCampaign(name: "Before"))
            #expect(before.shopifySyncStatus == "synced")
            fake.revokeToken("shpat_soon_revoked")  // e.g. the merchant uninstalled the app
            let after = try await client.myCode(agent.agentId, try await client.makeCampaign(name: "After"))
            #expect(after.shopifySyncStatus == "failed" && after.shopifySyncError == "missing_shopify_credentials")
        }
    }

    // MARK: shopify_scope_missing

    @Test func grantedScopesWithoutWriteDiscounts() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop(scopes: ["read_discounts"])
            try await firstCode(client, failsWith: "shopify_scope_missing")
            #expect(fake.received.isEmpty, "refused before calling Shopify")
        }
    }

    @Test func grantedScopesWithoutReadDiscounts() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop(scopes: ["write_discounts", "read_products"])
            try await firstCode(client, failsWith: "shopify_scope_missing")
            #expect(fake.received.isEmpty, "refused before calling Shopify")
        }
    }

    @Test func accessDeniedOnCreateIsScopeMissing() async throws {
        try await withShopify { _, client, fake in
            fake.addToken("shpat_read_only", scopes: ["read_discounts"])
            try await client.connectShop(token: "shpat_read_only", scopes: [])
            try await firstCode(client, failsWith: "shopify_scope_missing")
            #expect(fake.received.map(\.operation) == ["create"])
        }
    }

    @Test func accessDeniedOnLookupIsScopeMissing() async throws {
        try await withShopify { _, client, fake in
            // Shopify took the create's scope but not read_discounts: the lookup after TAKEN is denied.
            fake.addToken("shpat_write_only", scopes: ["write_discounts"])
            try await client.connectShop(token: "shpat_write_only", scopes: [])
            fake.script(.takenByMerchant)
            try await firstCode(client, failsWith: "shopify_scope_missing")
            #expect(fake.received.map(\.operation) == ["create", "lookup"])
        }
    }

    @Test func forbiddenIsScopeMissing() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.script(
                .http(status: 403, body: #"{"errors":"[API] This action requires merchant approval for write_discounts scope."}"#)
            )
            try await firstCode(client, failsWith: "shopify_scope_missing")
        }
    }

    // MARK: discount_code_conflict

    @Test func takenByTheMerchantIsAConflict() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.script(.takenByMerchant)
            try await firstCode(client, failsWith: "discount_code_conflict")
            #expect(fake.received.map(\.operation) == ["create", "lookup"], "TAKEN is looked up before giving up")
        }
    }

    // MARK: shopify_rate_limited

    @Test func longThrottleIsRateLimitedAndRetriedLater() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            // (752 - 700) / 1 s: far beyond what a call waits for.
            fake.script(.throttled(requested: 752, available: 700, restoreRate: 1))
            let agent = try await client.registerAgent(name: "Acme")
            let campaign = try await client.makeCampaign()
            let code = try await client.myCode(agent.agentId, campaign)
            #expect(code.shopifySyncStatus == "failed" && code.shopifySyncError == "shopify_rate_limited")
            #expect(fake.creates.count == 1)
            // The next call tries again, and Shopify has capacity now.
            let again = try await client.myCode(agent.agentId, campaign)
            #expect(again.shopifySyncStatus == "synced")
        }
    }

    @Test func throttledAfterTheAllowedRetriesIsRateLimited() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            // Short waits, each taken, but Shopify stays throttled.
            fake.setMode(.throttled(requested: 15, available: 10, restoreRate: 100))
            try await firstCode(client, failsWith: "shopify_rate_limited")
            #expect(fake.creates.count >= 3, "retried before giving up: \(fake.received.map(\.operation))")
        }
    }

    @Test func tooManyRequestsAfterTheAllowedRetriesIsRateLimited() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.setMode(
                .http(
                    status: 429, retryAfter: "0.05",
                    body:
                        #"{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}"#
                ))
            try await firstCode(client, failsWith: "shopify_rate_limited")
            #expect(fake.creates.count >= 3, "retried before giving up: \(fake.received.map(\.operation))")
        }
    }

    @Test func longRetryAfterIsRateLimited() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.script(.http(status: 429, retryAfter: "120"))
            try await firstCode(client, failsWith: "shopify_rate_limited")
            #expect(fake.creates.count == 1, "a two-minute wait is left to the worker")
        }
    }

    // MARK: shopify_sync_failed

    @Test func otherUserErrorIsSyncFailed() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.script(.userError(code: "VALUE_OUTSIDE_RANGE", message: "Value must be between 0.0 and 1.0"))
            try await firstCode(client, failsWith: "shopify_sync_failed")
            #expect(fake.received.map(\.operation) == ["create"], "a rejection is not retried within the call")
        }
    }

    // MARK: unexpected_shopify_discount_error

    @Test func serverErrorsAreUnexpected() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.setMode(.http(status: 502, body: "<html>Bad Gateway</html>"))
            try await firstCode(client, failsWith: "unexpected_shopify_discount_error")
            #expect(fake.received.prefix(3).map(\.operation) == ["create", "lookup", "lookup"])
        }
    }

    @Test func internalServerErrorIsUnexpected() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.setMode(.internalError)
            try await firstCode(client, failsWith: "unexpected_shopify_discount_error")
        }
    }

    @Test func timeoutsAreUnexpected() async throws {
        try await withShopify(timeout: 0.3) { _, client, fake in
            try await client.connectShop()
            // Every answer comes after the daemon gave up on it.
            fake.setMode(.slow(seconds: 3, then: .http(status: 500, body: "late")))
            try await firstCode(client, failsWith: "unexpected_shopify_discount_error")
            // (On a loaded machine a request may time out before the fake has read it all.)
            #expect(fake.connections > 0)
        }
    }

    @Test func unparseableAnswerIsUnexpected() async throws {
        try await withShopify { _, client, fake in
            try await client.connectShop()
            fake.script(.http(status: 200, body: "<html><body>Your shop is under maintenance</body></html>"))
            try await firstCode(client, failsWith: "unexpected_shopify_discount_error")
            #expect(fake.received.map(\.operation) == ["create"])
        }
    }
}
