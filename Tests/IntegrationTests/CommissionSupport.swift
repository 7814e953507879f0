import DiscountClient
import Foundation
import Testing

// Helpers for the Commission integration tests.

/// Daemon flags that point the Shopify sync at `fake` with a short backoff,
/// trusting the fake's CA unless `trustingItsCA` is false. The request timeout
/// and the call's wait are long by default: a TLS handshake on a machine
/// loaded by the whole suite can take a second, and only the tests about
/// timeouts want them short.
func shopifyArguments(
    _ fake: FakeShopify, timeout: Double = 5, syncWait: Double = 20, backoff: Double = 0.05, trustingItsCA: Bool = true
) -> [String] {
    [
        "--shopify-endpoint", fake.endpoint, "--shopify-timeout", "\(timeout)", "--shopify-sync-wait", "\(syncWait)",
        "--shopify-backoff", "\(backoff)",
    ] + (trustingItsCA ? ["--shopify-ca-file", fake.caFile] : [])
}

/// A fresh fake Shopify (over TLS) and a daemon synced to it; both stopped afterwards.
func withShopify(
    presenting: FakeShopify.Presenting = .trustedByItsCA, timeout: Double = 5, syncWait: Double = 20,
    backoff: Double = 0.05, trustingItsCA: Bool = true, extraArguments: [String] = [],
    _ body: (DaemonProcess, DiscountClient, FakeShopify) async throws -> Void
) async throws {
    let fake = try await FakeShopify.start(presenting: presenting)
    let arguments =
        shopifyArguments(
            fake, timeout: timeout, syncWait: syncWait, backoff: backoff, trustingItsCA: trustingItsCA) + extraArguments
    try await withCleanup {
        try await withDaemon(arguments: arguments) { daemon in
            let client = try await daemon.client()
            try await body(daemon, client, fake)
            await client.close()
        }
    } then: {
        await fake.stop()
    }
}

extension DiscountClient {
    /// Gives the token's project the fake shop's credentials.
    func connectShop(
        token: String = FakeShopify.goodToken, scopes: [String] = ["write_discounts", "read_discounts"]
    ) async throws {
        _ = try await setShopifyCredentials(
            SetShopifyCredentialsRequest(
                shopDomain: FakeShopify.shop, accessToken: token, grantedScopes: scopes))
    }

    /// A running campaign (15% off, 10% commission unless told).
    func makeCampaign(name: String = "Spring", discount: Double = 15, commission: Double = 10) async throws -> Campaign {
        try #require(
            try await createCampaign(
                CreateCampaignRequest(
                    name: name, discountPercent: discount, commissionPercent: commission)
            ).campaign)
    }

    /// A new agent's code for a new running campaign: where most sync tests start.
    func newAgentCode() async throws -> AgentDiscountCode {
        let agent = try await registerAgent(name: "Acme")
        return try await myCode(agent.agentId, try await makeCampaign())
    }

    /// The agent's single code for `campaign`.
    func myCode(_ agentID: Int64, _ campaign: Campaign) async throws -> AgentDiscountCode {
        let answer = try await getMyDiscountCode(agentID: agentID, campaignID: campaign.campaignId)
        #expect(answer.discountCodes.count == 1)
        return try #require(answer.discountCodes.first)
    }
}

/// Polls `condition` every 50 ms for up to `seconds`.
func eventually(within seconds: Double = 10, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
