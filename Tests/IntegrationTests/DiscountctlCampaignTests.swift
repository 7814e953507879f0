import Foundation
import Testing

/// discountctl's campaign and Shopify subcommands: the JSON each prints.
@Suite struct DiscountctlCampaignTests {
    @Test func campaignCommandsPrintTheirShapes() async throws {
        try await withTestDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let created = try await discountctlJSON(
                [
                    "create-campaign", "--name", "Spring", "--discount-percent", "15",
                    "--commission-percent", "10", "--starts-at", "2026-01-01T00:00:00Z",
                ], socket)
            let campaign = try #require(created["campaign"] as? [String: Any])
            let id = try #require(campaign["campaign_id"] as? Int)
            #expect(campaign["name"] as? String == "Spring" && campaign["starts_at"] as? String == "2026-01-01T00:00:00Z")
            #expect(campaign["ends_at"] == nil && campaign["has_customer_discount"] as? Bool == true, "\(campaign)")

            let updated = try await discountctlJSON(
                [
                    "update-campaign", "--campaign-id", "\(id)", "--name", "Spring II",
                    "--discount-percent", "20", "--ends-at", "2099-01-01T00:00:00Z",
                ], socket)
            let after = try #require(updated["campaign"] as? [String: Any])
            #expect(after["campaign_id"] as? Int == id && after["name"] as? String == "Spring II")
            #expect(after["discount_percent"] as? Double == 20 && after["commission_percent"] as? Double == 10, "the rest stays")
            #expect(after["ends_at"] as? String == "2099-01-01T00:00:00Z")

            let active = try jsonObject(try await discountctl(["get-active-campaigns"] + socket).stdout)
            let running = try #require(active["campaigns"] as? [[String: Any]])
            #expect(running.map { $0["campaign_id"] as? Int } == [id])

            let ended = try await discountctl(["end-campaign", "--campaign-id", "\(id)"] + socket)
            #expect(ended.status == 0, "\(ended.stderr)")
            let endedCampaign = try #require(try jsonObject(ended.stdout)["campaign"] as? [String: Any])
            #expect(endedCampaign["is_active"] as? Bool == false && endedCampaign["ends_at"] is String, "\(ended.stdout)")
            #expect(
                (try jsonObject(try await discountctl(["get-active-campaigns"] + socket).stdout)["campaigns"] as? [Any])?.isEmpty
                    == true)

            let listed = try jsonObject(try await discountctl(["list-campaigns"] + socket).stdout)
            #expect((listed["campaigns"] as? [Any])?.isEmpty == true, "ended campaigns only with --include-ended")
            let all = try jsonObject(
                try await discountctl(["list-campaigns", "--include-ended", "--page-size", "10"] + socket).stdout)
            #expect((all["campaigns"] as? [[String: Any]])?.first?["campaign_id"] as? Int == id)
            #expect(all["next_page_token"] as? String == "")

            let missing = try await discountctl(["update-campaign", "--campaign-id", "99", "--name", "X"] + socket)
            #expect(missing.status == 66 && missing.stderr.contains("Campaign 99 not found."), "\(missing.stderr)")
        }
    }

    @Test func setShopifyCredentialsPrintsWhatWasStored() async throws {
        try await withTestDaemon { daemon in
            let result = try await discountctl(
                [
                    "set-shopify-credentials", "--shop-domain", "acme.myshopify.com", "--granted-scope", "write_discounts",
                    "--socket", daemon.socketPath,
                ],
                environment: ["DISCOUNTD_SHOPIFY_TOKEN": "shpat_from_env"])
            #expect(result.status == 0, "\(result.stderr)")
            let stored = try jsonObject(result.stdout)
            #expect(stored["project_id"] as? String == "default" && stored["shop_domain"] as? String == "acme.myshopify.com")
            #expect(stored["granted_scopes"] as? [String] == ["write_discounts"])
            #expect(!result.stdout.contains("shpat_from_env"), "the secret is not printed back")

            let noToken = try await discountctl(
                ["set-shopify-credentials", "--shop-domain", "a.myshopify.com", "--socket", daemon.socketPath],
                environment: ["DISCOUNTD_SHOPIFY_TOKEN": ""])
            #expect(noToken.status == 64, "\(noToken.stderr)")
        }
    }
}
