/// The Admin API access scopes the sync needs, as Shopify names them:
/// write_discounts to create a code, read_discounts to look one up (after
/// `TAKEN`, a 5xx or a timeout, before creating again).
public enum ShopifyScopes {
    public static let required = ["read_discounts", "write_discounts"]

    /// The required scopes missing from `granted`. Empty granted scopes mean
    /// the merchant's grant was not told, and Shopify's ACCESS_DENIED decides.
    public static func missing(from granted: [String]) -> [String] {
        granted.isEmpty ? [] : required.filter { !granted.contains($0) }
    }
}
