import DiscountClient

/// The commission tool's answer, as documented: every code object has all
/// nine keys (null where there is nothing), discount_percent is a float and
/// expires_at is ISO 8601 with a `+00:00` offset.
extension GetMyDiscountCodeResponse {
    var documented: DocumentedJSON {
        var members: [(String, DocumentedJSON)] = [("discount_codes", .array(discountCodes.map(\.documented)))]
        if let message { members.append(("message", .string(message))) }
        return .object(members)
    }
}

extension AgentDiscountCode {
    var documented: DocumentedJSON {
        .object([
            ("discount_code", .string(discountCode)),
            ("discount_percent", .float(discountPercent)),
            ("campaign_name", .string(campaignName)),
            ("campaign_id", .integer(campaignId)),
            ("expires_at", .string(expiresAt?.isoWithOffset)),
            ("is_active", .bool(isActive)),
            ("shopify_sync_status", .string(shopifySyncStatus)),
            ("shopify_discount_id", .string(shopifyDiscountId)),
            ("shopify_sync_error", .string(shopifySyncError)),
        ])
    }
}
