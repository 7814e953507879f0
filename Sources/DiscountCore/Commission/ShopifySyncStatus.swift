/// A code's Shopify sync status. The raw values are the seed's wire strings,
/// except `pending`, which is internal: the wire shows it as `failed` with the
/// last error (or `shopify_sync_failed` when nothing was tried yet), so a
/// caller only ever sees the seed's three statuses.
public enum ShopifySyncStatus: String, Sendable, Hashable, CaseIterable {
    case pending
    case synced
    case failed
    case skippedNoCredentials = "skipped_no_credentials"

    /// The status string the seed's API returns.
    public var wireValue: String {
        switch self {
        case .pending, .failed: ShopifySyncStatus.failed.rawValue
        case .synced, .skippedNoCredentials: rawValue
        }
    }
}

/// Why a code is not on Shopify: exactly the seed's error strings.
public enum ShopifySyncError: String, Sendable, Hashable, CaseIterable {
    case missingShopifyCredentials = "missing_shopify_credentials"
    case shopifyScopeMissing = "shopify_scope_missing"
    case discountCodeConflict = "discount_code_conflict"
    case shopifyRateLimited = "shopify_rate_limited"
    case shopifySyncFailed = "shopify_sync_failed"
    case unexpectedShopifyDiscountError = "unexpected_shopify_discount_error"
}
