import Foundation
import Testing

/// discountctl's Commission subcommands as a process against a live daemon.
@Suite struct DiscountctlCommissionTests {
    @Test func agentCampaignCodeOrderAndCommissions() async throws {
        try await withTestDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let agent = try await discountctlJSON(["register-agent", "--agent-name", "Acme Sales"], socket)
            let agentID = try #require(agent["agent_id"] as? Int)

            let campaign = try await discountctlJSON(
                [
                    "create-campaign", "--name", "Spring", "--discount-percent", "15",
                    "--commission-percent", "10",
                ], socket)
            let campaignID = try #require((campaign["campaign"] as? [String: Any])?["campaign_id"] as? Int)

            let got = try await discountctl(
                ["get-my-discount-code", "--agent-id", "\(agentID)", "--campaign-id", "\(campaignID)"] + socket)
            #expect(got.status == 0, "\(got.stderr)")
            let answer = try jsonObject(got.stdout)
            #expect(Array(answer.keys) == ["discount_codes"], "the seed's shape: \(got.stdout)")
            let code = try #require((answer["discount_codes"] as? [[String: Any]])?.first)
            let text = try #require(code["discount_code"] as? String)
            #expect(text.wholeMatch(of: /CC-ACME-[A-Z0-9]{4}/) != nil)
            #expect(code["discount_percent"] as? Double == 15)
            #expect(code["campaign_name"] as? String == "Spring")
            #expect(code["campaign_id"] as? Int == campaignID)
            #expect(code["is_active"] as? Bool == true)
            #expect(code["shopify_sync_status"] as? String == "skipped_no_credentials")
            #expect(code["shopify_sync_error"] as? String == "missing_shopify_credentials")

            let order = try await discountctlJSON(
                [
                    "record-order", "--order-id", "1001", "--code", text, "--subtotal", "8500",
                    "--currency", "USD", "--status", "paid",
                ], socket)
            #expect(order["commission"] as? Int == 850)
            let mine = try await discountctl(["get-my-commissions", "--agent-id", "\(agentID)"] + socket)
            let totals = try #require(try jsonObject(mine.stdout)["totals"] as? [[String: Any]])
            #expect(totals.first?["commission"] as? Int == 850)

            let unknown = try await discountctl(["get-my-discount-code", "--agent-id", "999"] + socket)
            #expect(unknown.status == 66)
            #expect(unknown.stderr.contains("Agent not registered. Call register_agent first."))

            for command in [
                ["get-active-campaigns"], ["list-campaigns", "--include-ended"],
                ["end-campaign", "--campaign-id", "\(campaignID)"],
                [
                    "set-shopify-credentials", "--shop-domain", "acme.myshopify.com", "--access-token", "shpat_x",
                    "--granted-scope", "write_discounts",
                ],
            ] {
                let run = try await discountctl(command + socket)
                #expect(run.status == 0, "\(command): \(run.stderr)")
            }
        }
    }
}
