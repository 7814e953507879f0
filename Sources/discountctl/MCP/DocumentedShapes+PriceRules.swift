import DiscountClient

/// Create Discount Code's success envelope: `{"code": "200", "message":
/// "Success", "data": {"discount_codes": [...]}}`, each code with its times
/// as `2023-06-20T15:30:00Z` and use_with_other as 1 or 0.
extension CreateDiscountCodeResponse {
    var documented: DocumentedJSON {
        .object([
            ("code", .string("200")),
            ("message", .string("Success")),
            ("data", .object([("discount_codes", .array(discountCodes.map(\.documentedAsCreated)))])),
        ])
    }
}

/// Get Discount Code Details: `{"discount_code": {...}}` with use_with_other
/// and usage_count as strings and the times as `2022-06-17 07:48:29`.
extension GetDiscountCodeResponse {
    var documented: DocumentedJSON {
        .object([("discount_code", discountCode.map(\.documentedAsDetails) ?? .null)])
    }
}

extension DiscountCode {
    var documentedAsCreated: DocumentedJSON {
        .object([
            ("id", .string(id)),
            ("price_rule_id", .string(priceRuleId)),
            ("code", .string(code)),
            ("created_at", .string(createdAt?.isoWithZ)),
            ("updated_at", .string(updatedAt?.isoWithZ)),
            ("use_with_other", .integer(useWithOther ? 1 : 0)),
            ("usage_count", .integer(usageCount)),
        ])
    }

    var documentedAsDetails: DocumentedJSON {
        .object([
            ("id", .string(id)),
            ("price_rule_id", .string(priceRuleId)),
            ("code", .string(code)),
            ("created_at", .string(createdAt?.spacedDateTime)),
            ("updated_at", .string(updatedAt?.spacedDateTime)),
            ("use_with_other", .string(useWithOther ? "1" : "0")),
            ("usage_count", .string(String(usageCount))),
        ])
    }
}
