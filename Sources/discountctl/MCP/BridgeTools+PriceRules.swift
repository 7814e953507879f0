import DiscountClient

extension BridgeTools {
    private static let ruleID = ToolParameter.required("price_rule_id", .string, "The price rule's id.")
    private static let codeID = ToolParameter.required("discount_code_id", .string, "The discount code's id.")
    private static let pageSize = ToolParameter.optional("page_size", .integer, "1 to 1000 (default 100).")
    private static let pageToken = ToolParameter.optional("page_token", .string, "next_page_token of the previous page.")

    /// The Create Discount Code and Get Discount Code Details seeds' tools, and the rest of PriceRules.
    static let priceRules: [BridgeTool] = [
        BridgeTool(
            write: "create_price_rule",
            "Create a price rule: what a discount is worth (percentage or fixed amount), when, and how often. Its id is the price_rule_id of create_discount_code.",
            [
                .required("title", .string, "Name for people, e.g. Summer sale."),
                .required("value_type", .oneOf(["percentage", "fixed_amount"]), "How value reads."),
                .required("value", .number, "Percent off (0 < value <= 100), or an amount off in minor units of currency."),
                .optional("currency", .string, "ISO 4217; required for fixed_amount."),
                .optional("starts_at", .timestamp, "Start (default: now)."),
                .optional("ends_at", .timestamp, "End (default: never)."),
                .optional("usage_limit", .integer, "Total uses over all the rule's codes (default: unlimited)."),
                .optional("once_per_customer", .boolean, "A customer may use the rule once."),
            ]
        ) { a, client in
            try await client.createPriceRule(
                CreatePriceRuleRequest(
                    title: a.string("title"), valueType: a.string("value_type") == "fixed_amount" ? .fixedAmount : .percentage,
                    value: a.double("value"), currency: a.string("currency"), startsAt: a.timestamp("starts_at"),
                    endsAt: a.timestamp("ends_at"), usageLimit: a.optionalInt64("usage_limit"),
                    oncePerCustomer: a.bool("once_per_customer")),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(read: "get_price_rule", "Show one price rule.", [ruleID]) { a, client in
            try await client.getPriceRule(id: a.string("price_rule_id"))
        },
        BridgeTool(
            read: "list_price_rules", "List the project's price rules in creation order, a page at a time.",
            [pageSize, pageToken]
        ) { a, client in
            try await client.listPriceRules(
                ListPriceRulesRequest(pageSize: a.optionalInt32("page_size") ?? 0, pageToken: a.string("page_token")))
        },
        BridgeTool(
            write: "update_price_rule", "Change the given fields of a price rule; the rest stay.",
            [
                ruleID,
                .optional("title", .string, "New title."),
                .optional("value_type", .oneOf(["percentage", "fixed_amount"]), "New value type."),
                .optional("value", .number, "New value."),
                .optional("currency", .string, "New ISO 4217 currency."),
                .optional("starts_at", .timestamp, "New start."),
                .optional("ends_at", .timestamp, "New end."),
                .optional("clear_ends_at", .boolean, "Make the rule open-ended again."),
                .optional("usage_limit", .integer, "New total usage limit."),
                .optional("clear_usage_limit", .boolean, "Remove the usage limit."),
                .optional("once_per_customer", .boolean, "Whether a customer may use the rule only once."),
            ]
        ) { a, client in
            try await client.updatePriceRule(
                UpdatePriceRuleRequest(
                    priceRuleId: a.string("price_rule_id"), title: a.optionalString("title"),
                    valueType: a.optionalString("value_type").map { $0 == "fixed_amount" ? .fixedAmount : .percentage },
                    value: a.optionalDouble("value"), currency: a.optionalString("currency"),
                    startsAt: a.timestamp("starts_at"), endsAt: a.timestamp("ends_at"), clearEndsAt: a.bool("clear_ends_at"),
                    usageLimit: a.optionalInt64("usage_limit"), clearUsageLimit: a.bool("clear_usage_limit"),
                    oncePerCustomer: a.optionalBool("once_per_customer")),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(write: "delete_price_rule", "Delete a price rule and all its discount codes.", [ruleID]) { a, client in
            try await client.deletePriceRule(id: a.string("price_rule_id"), idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            write: "create_discount_code",
            "Create a unique discount code under a price rule (Create Discount Code). Answers {\"code\": \"200\", \"message\": \"Success\", \"data\": {\"discount_codes\": [{id, price_rule_id, code, created_at, updated_at, use_with_other, usage_count}]}}; a failure answers {\"code\": \"InvalidParameter\" (or AlreadyExists for a code already used in the project in any case, NotFound for an unknown price rule, …), \"message\": …, \"reason\", \"hint\"}.",
            [
                ruleID,
                .required(
                    "discount_code",
                    .object([
                        .required(
                            "code", .string,
                            "The discount code text customers type, unique in the project: 1 to 255 printable characters."),
                        .optional(
                            "use_with_other", .oneOrZero,
                            "1 if the code can be used with other discounts, 0 if not (default 0); true and false are taken too."),
                        .optional(
                            "usage_limit", .integer,
                            "Maximum number of times the code can be used, 1 to 2147483647 (default: unlimited)."),
                    ]),
                    "The discount code: code, use_with_other, usage_limit."),
            ],
            failure: .priceRuleCode
        ) { a, client in
            let code = a.object("discount_code")
            if let limit = code.optionalInt64("usage_limit"), !(1...Int64(Int32.max)).contains(limit) {
                throw ToolArgumentError(
                    field: "discount_code.usage_limit",
                    message: "discount_code.usage_limit must be between 1 and 2147483647 (got \(limit))",
                    hint: "Leave usage_limit out for an unlimited code.")
            }
            return try await client.createDiscountCode(
                priceRuleID: a.string("price_rule_id"), code: code.string("code"),
                useWithOther: code.oneOrZero("use_with_other") ?? false,
                usageLimit: code.optionalInt64("usage_limit"), idempotencyKey: a.idempotencyKey
            ).documented
        },
        BridgeTool(
            write: "batch_create_discount_codes",
            "Create many discount codes at once: the listed codes, or count generated ones (prefix + random part). Returns created, rejected_count and rejected codes with reasons.",
            [
                ruleID,
                .optional("codes", .strings, "The codes to create (or give count to generate them)."),
                .optional("count", .integer, "How many codes to generate, 1 to 1000000."),
                .optional("prefix", .string, "Literal text before every generated code."),
                .optional("length", .integer, "Length of the random part (default 8)."),
                .optional("charset", .string, "Alphabet of the random part (default: without look-alikes)."),
                .optional("use_with_other", .boolean, "The codes may be combined with other discounts."),
                .optional("usage_limit", .integer, "Uses of each code (default: unlimited)."),
            ]
        ) { a, client in
            var request = BatchCreateDiscountCodesRequest(
                priceRuleId: a.string("price_rule_id"), useWithOther: a.bool("use_with_other"),
                usageLimit: a.optionalInt64("usage_limit"))
            if let generator = a.generator { request.generator = generator } else { request.codes = a.strings("codes") }
            return try await client.batchCreateDiscountCodes(request, idempotencyKey: a.idempotencyKey, timeout: .seconds(600)) {
                _ in
            }
        },
        BridgeTool(
            read: "get_discount_code",
            "Get Discount Code Details: {\"discount_code\": {id, price_rule_id, code, created_at, updated_at, use_with_other, usage_count}}, with use_with_other and usage_count as strings (\"1\", \"0\") and times as 2022-06-17 07:48:29 (UTC). An unknown id answers {\"error\": \"Not Found\", \"errors\": [message]}. lookup_discount_code also shows usage_limit.",
            [ruleID, codeID], failure: .httpStatusText
        ) { a, client in
            try await client.getDiscountCode(priceRuleID: a.string("price_rule_id"), discountCodeID: a.string("discount_code_id"))
                .documented
        },
        BridgeTool(
            read: "list_discount_codes", "List a price rule's discount codes in creation order, a page at a time.",
            [ruleID, pageSize, pageToken]
        ) { a, client in
            try await client.listDiscountCodes(
                ListDiscountCodesRequest(
                    priceRuleId: a.string("price_rule_id"), pageSize: a.optionalInt32("page_size") ?? 0,
                    pageToken: a.string("page_token")))
        },
        BridgeTool(
            read: "lookup_discount_code", "Find a discount code and its price rule by the code's text, in any case.",
            [.required("code", .string, "The code text.")]
        ) { a, client in try await client.lookupDiscountCode(code: a.string("code")) },
        BridgeTool(
            write: "update_discount_code", "Change the given fields of a discount code; the rest stay.",
            [
                ruleID, codeID,
                .optional("code", .string, "New code text."),
                .optional("use_with_other", .boolean, "Whether the code may be combined with other discounts."),
                .optional("usage_limit", .integer, "New usage limit."),
                .optional("clear_usage_limit", .boolean, "Remove the usage limit."),
            ]
        ) { a, client in
            try await client.updateDiscountCode(
                UpdateDiscountCodeRequest(
                    priceRuleId: a.string("price_rule_id"), discountCodeId: a.string("discount_code_id"),
                    code: a.optionalString("code"), useWithOther: a.optionalBool("use_with_other"),
                    usageLimit: a.optionalInt64("usage_limit"), clearUsageLimit: a.bool("clear_usage_limit")),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(write: "delete_discount_code", "Delete one discount code and its redemptions.", [ruleID, codeID]) {
            a, client in
            try await client.deleteDiscountCode(
                DeleteDiscountCodeRequest(priceRuleId: a.string("price_rule_id"), discountCodeId: a.string("discount_code_id")),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            read: "validate_discount_code",
            "Tell whether a code would apply now (for customer_id, if given), and if not why (e.g. CODE_EXPIRED, USAGE_LIMIT_REACHED).",
            [
                .required("code", .string, "The code text, in any case."),
                .optional("customer_id", .string, "Checked against once_per_customer."),
            ]
        ) { a, client in
            try await client.validateDiscountCode(code: a.string("code"), customerID: a.optionalString("customer_id"))
        },
        BridgeTool(
            write: "redeem_discount_code",
            "Count one use of a code for an order; the same order again is not counted twice. Refused past the usage limit, the end date or once per customer.",
            [
                .required("code", .string, "The code text, in any case."),
                .required("order_id", .string, "The order using the code."),
                .optional("customer_id", .string, "The customer, checked against once_per_customer."),
            ]
        ) { a, client in
            try await client.redeemDiscountCode(
                code: a.string("code"), orderID: a.string("order_id"), customerID: a.optionalString("customer_id"),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            write: "rollback_redemption", "Give back the uses of an order (cancelled, payment failed); idempotent.",
            [.required("order_id", .string, "The order whose redemptions to give back.")]
        ) { a, client in try await client.rollbackRedemption(orderID: a.string("order_id"), idempotencyKey: a.idempotencyKey) },
    ]
}

extension ToolArguments {
    /// count/prefix/length/charset as a generator, when count is given.
    var generator: CodeGenerator? {
        guard let count = optionalInt32("count") else { return nil }
        return CodeGenerator(
            count: count, prefix: string("prefix"), length: optionalInt32("length") ?? 0, charset: string("charset"))
    }
}
