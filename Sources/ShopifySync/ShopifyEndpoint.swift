import Foundation

/// Where the GraphQL Admin API of a shop lives: a URL template in which
/// `{shop}` stands for the shop's domain and `{version}` for the API version.
/// The default is Shopify's; tests point it at a fake server on loopback.
public struct ShopifyEndpoint: Sendable, Hashable {
    /// The Admin API version sent when none is configured: a stable release
    /// Shopify still supports (each is supported for about a year). The one
    /// place the default is written.
    public static let defaultAPIVersion = "2026-10"
    public static let defaultTemplate = "https://{shop}/admin/api/{version}/graphql.json"

    public var template: String
    public var apiVersion: String

    public init(template: String = ShopifyEndpoint.defaultTemplate, apiVersion: String = ShopifyEndpoint.defaultAPIVersion) {
        self.template = template
        self.apiVersion = apiVersion
    }

    /// The URL for `shopDomain` (e.g. `acme.myshopify.com`).
    public func url(shopDomain: String) -> String {
        template.replacingOccurrences(of: "{shop}", with: shopDomain).replacingOccurrences(of: "{version}", with: apiVersion)
    }

    /// Whether `version` names an Admin API version: `YYYY-MM` or `unstable`.
    public static func isAPIVersion(_ version: String) -> Bool {
        if version == "unstable" { return true }
        let parts = version.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 2 && parts[0].count == 4 && parts[1].count == 2
            && parts.allSatisfy { $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }
            && (1...12).contains(Int(parts[1]) ?? 0)
    }
}
