import ShopifySync
import Testing

/// The Admin API URL, its version, and the scopes the sync needs.
@Suite struct ShopifyEndpointTests {
    @Test func defaultURLCarriesTheDefaultVersion() {
        #expect(
            ShopifyEndpoint().url(shopDomain: "acme.myshopify.com") == "https://acme.myshopify.com/admin/api/2026-10/graphql.json"
        )
        #expect(
            ShopifyEndpoint(apiVersion: "2026-07").url(shopDomain: "acme.myshopify.com")
                == "https://acme.myshopify.com/admin/api/2026-07/graphql.json")
        // A template without {version} is used as given.
        #expect(
            ShopifyEndpoint(template: "https://proxy.local/{shop}/graphql", apiVersion: "2026-07").url(
                shopDomain: "a.myshopify.com")
                == "https://proxy.local/a.myshopify.com/graphql")
    }

    @Test(arguments: ["2026-10", "2025-01", "unstable"]) func apiVersions(_ version: String) {
        #expect(ShopifyEndpoint.isAPIVersion(version))
    }

    @Test(arguments: ["", "latest", "2026-13", "2026-1", "26-10", "2026_10", "2026-10-01", "٢٠٢٦-١٠"]) func notAPIVersions(
        _ version: String
    ) {
        #expect(!ShopifyEndpoint.isAPIVersion(version))
    }

    @Test func bothDiscountScopesAreNeeded() {
        #expect(ShopifyScopes.missing(from: ["read_discounts", "write_discounts", "read_orders"]) == [])
        #expect(ShopifyScopes.missing(from: ["write_discounts"]) == ["read_discounts"])
        #expect(ShopifyScopes.missing(from: ["read_discounts"]) == ["write_discounts"])
        #expect(ShopifyScopes.missing(from: ["read_products"]) == ["read_discounts", "write_discounts"])
        // Not told: Shopify's ACCESS_DENIED decides.
        #expect(ShopifyScopes.missing(from: []) == [])
    }
}
