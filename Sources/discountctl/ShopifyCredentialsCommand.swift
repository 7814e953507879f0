import ArgumentParser
import DiscountClient
import Foundation

struct SetShopifyCredentialsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-shopify-credentials",
        abstract: "Store a project's Shopify Admin API credentials (needs the admin scope).",
        discussion: """
            Codes not yet on Shopify are sent again. The token is read from --access-token or DISCOUNTD_SHOPIFY_TOKEN.

            Example: discountctl set-shopify-credentials --shop-domain acme.myshopify.com --access-token shpat_… \\
                       --granted-scope write_discounts --granted-scope read_discounts
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "Project (default: the token's).") var projectId: String?
    @Option(help: "e.g. acme.myshopify.com") var shopDomain: String
    @Option(help: "Offline Admin API token (shpat_…).") var accessToken: String?
    @Option(name: .customLong("granted-scope"), help: "A scope the token has; repeat.") var grantedScopes: [String] = []

    func run() async throws {
        guard let token = accessToken ?? ProcessInfoShim.environment("DISCOUNTD_SHOPIFY_TOKEN") else {
            throw ValidationError("give --access-token or DISCOUNTD_SHOPIFY_TOKEN")
        }
        let request = SetShopifyCredentialsRequest(
            projectId: projectId ?? "", shopDomain: shopDomain, accessToken: token, grantedScopes: grantedScopes)
        try await client.printAnswer {
            try await $0.setShopifyCredentials(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

/// Environment lookups for commands.
enum ProcessInfoShim {
    static func environment(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }
}
