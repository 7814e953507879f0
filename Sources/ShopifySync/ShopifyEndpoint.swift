/// Where the GraphQL Admin API of a shop lives: a URL template in which
/// `{shop}` stands for the shop's domain. The default is Shopify's; tests
/// point it at a fake server on loopback (plain HTTP is fine there).
public struct ShopifyEndpoint: Sendable, Hashable {
    public static let defaultTemplate = "https://{shop}/admin/api/2025-01/graphql.json"

    public var template: String

    public init(template: String = ShopifyEndpoint.defaultTemplate) {
        self.template = template
    }

    /// The URL for `shopDomain` (e.g. `acme.myshopify.com`).
    public func url(shopDomain: String) -> String {
        template.replacingOccurrences(of: "{shop}", with: shopDomain)
    }
}
