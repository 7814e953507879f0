/// `discountd.v1.PriceRules`: price rules, their discount codes, and redemptions.
///
/// Reads need the `read_price_rules` scope, writes `write_price_rules`. Every
/// write takes an optional idempotency key: sent again with the same key and
/// request, it returns the first answer; with a different request it is
/// refused (FAILED_PRECONDITION, `IDEMPOTENCY_KEY_REUSED`).
extension DiscountClient {

    // MARK: Price rules

    /// Creates a price rule: what a discount is worth, when, and how often.
    public func createPriceRule(
        _ request: CreatePriceRuleRequest, idempotencyKey: String? = nil
    ) async throws -> CreatePriceRuleResponse {
        try await call(PriceRulesRPC.createPriceRule, request, idempotencyKey: idempotencyKey)
    }

    /// One price rule by id; NOT_FOUND (`PRICE_RULE_NOT_FOUND`) when unknown.
    public func getPriceRule(_ request: GetPriceRuleRequest) async throws -> GetPriceRuleResponse {
        try await call(PriceRulesRPC.getPriceRule, request)
    }

    /// One price rule by id.
    public func getPriceRule(id: String) async throws -> GetPriceRuleResponse {
        try await getPriceRule(GetPriceRuleRequest(priceRuleId: id))
    }

    /// A page of the project's price rules, in creation order.
    public func listPriceRules(_ request: ListPriceRulesRequest = .init()) async throws -> ListPriceRulesResponse {
        try await call(PriceRulesRPC.listPriceRules, request)
    }

    /// Changes the fields that are set in `request`; the rest stay.
    public func updatePriceRule(
        _ request: UpdatePriceRuleRequest, idempotencyKey: String? = nil
    ) async throws -> UpdatePriceRuleResponse {
        try await call(PriceRulesRPC.updatePriceRule, request, idempotencyKey: idempotencyKey)
    }

    /// Deletes a price rule and all its discount codes.
    public func deletePriceRule(
        _ request: DeletePriceRuleRequest, idempotencyKey: String? = nil
    ) async throws -> DeletePriceRuleResponse {
        try await call(PriceRulesRPC.deletePriceRule, request, idempotencyKey: idempotencyKey)
    }

    /// Deletes a price rule by id, with all its discount codes.
    public func deletePriceRule(id: String, idempotencyKey: String? = nil) async throws -> DeletePriceRuleResponse {
        try await deletePriceRule(DeletePriceRuleRequest(priceRuleId: id), idempotencyKey: idempotencyKey)
    }

    // MARK: Discount codes

    /// Creates one discount code; the response holds it as `discount_codes[0]`.
    /// ALREADY_EXISTS (`CODE_TAKEN`) when the text is used in the project, in any case.
    public func createDiscountCode(
        _ request: CreateDiscountCodeRequest, idempotencyKey: String? = nil
    ) async throws -> CreateDiscountCodeResponse {
        try await call(PriceRulesRPC.createDiscountCode, request, idempotencyKey: idempotencyKey)
    }

    /// Creates one discount code under `priceRuleID`.
    public func createDiscountCode(
        priceRuleID: String, code: String, useWithOther: Bool = false, usageLimit: Int64? = nil,
        idempotencyKey: String? = nil
    ) async throws -> CreateDiscountCodeResponse {
        try await createDiscountCode(
            CreateDiscountCodeRequest(
                priceRuleId: priceRuleID,
                discountCode: NewDiscountCode(code: code, useWithOther: useWithOther, usageLimit: usageLimit)),
            idempotencyKey: idempotencyKey)
    }

    /// Creates many codes (an explicit list or a generator): zero or more
    /// `progress` messages, then one with `result`. The stream throws the
    /// call's error (`RPCError`) if it fails. `timeout` overrides the client's
    /// deadline for this call (big batches take longer).
    public func batchCreateDiscountCodes(
        _ request: BatchCreateDiscountCodesRequest, idempotencyKey: String? = nil, timeout: Duration? = nil
    ) -> AsyncThrowingStream<BatchCreateDiscountCodesResponse, any Error> {
        serverStream(
            PriceRulesRPC.batchCreateDiscountCodes, request,
            idempotencyKey: idempotencyKey, timeout: timeout)
    }

    /// Creates many codes, calling `progress` for each progress message, and
    /// returns the final result.
    public func batchCreateDiscountCodes(
        _ request: BatchCreateDiscountCodesRequest, idempotencyKey: String? = nil, timeout: Duration? = nil,
        progress: (BulkProgress) async throws -> Void
    ) async throws -> BatchCreateDiscountCodesResult {
        try await bulkResult(
            of: batchCreateDiscountCodes(request, idempotencyKey: idempotencyKey, timeout: timeout),
            method: "BatchCreateDiscountCodes", progress: progress)
    }

    /// One discount code by price rule and code id; NOT_FOUND (`DISCOUNT_CODE_NOT_FOUND`) when unknown.
    public func getDiscountCode(_ request: GetDiscountCodeRequest) async throws -> GetDiscountCodeResponse {
        try await call(PriceRulesRPC.getDiscountCode, request)
    }

    /// One discount code by price rule and code id.
    public func getDiscountCode(priceRuleID: String, discountCodeID: String) async throws -> GetDiscountCodeResponse {
        try await getDiscountCode(GetDiscountCodeRequest(priceRuleId: priceRuleID, discountCodeId: discountCodeID))
    }

    /// A page of a price rule's discount codes (keyset pagination: pass
    /// `next_page_token` back as `page_token`; empty on the last page).
    public func listDiscountCodes(_ request: ListDiscountCodesRequest) async throws -> ListDiscountCodesResponse {
        try await call(PriceRulesRPC.listDiscountCodes, request)
    }

    /// Finds a discount code (and its price rule) by its text, case-insensitively.
    public func lookupDiscountCode(_ request: LookupDiscountCodeRequest) async throws -> LookupDiscountCodeResponse {
        try await call(PriceRulesRPC.lookupDiscountCode, request)
    }

    /// Finds a discount code by its text, case-insensitively.
    public func lookupDiscountCode(code: String) async throws -> LookupDiscountCodeResponse {
        try await lookupDiscountCode(LookupDiscountCodeRequest(code: code))
    }

    /// Changes the fields that are set in `request`; the rest stay.
    public func updateDiscountCode(
        _ request: UpdateDiscountCodeRequest, idempotencyKey: String? = nil
    ) async throws -> UpdateDiscountCodeResponse {
        try await call(PriceRulesRPC.updateDiscountCode, request, idempotencyKey: idempotencyKey)
    }

    /// Deletes one discount code and its redemptions.
    public func deleteDiscountCode(
        _ request: DeleteDiscountCodeRequest, idempotencyKey: String? = nil
    ) async throws -> DeleteDiscountCodeResponse {
        try await call(PriceRulesRPC.deleteDiscountCode, request, idempotencyKey: idempotencyKey)
    }

    // MARK: Use

    /// Whether a code would apply now (and for `customer_id`, if set), and if not why.
    /// An unknown code is an answer (`valid` false), not an error.
    public func validateDiscountCode(_ request: ValidateDiscountCodeRequest) async throws -> ValidateDiscountCodeResponse {
        try await call(PriceRulesRPC.validateDiscountCode, request)
    }

    /// Whether `code` would apply now for `customerID`.
    public func validateDiscountCode(code: String, customerID: String? = nil) async throws -> ValidateDiscountCodeResponse {
        try await validateDiscountCode(ValidateDiscountCodeRequest(code: code, customerId: customerID))
    }

    /// Counts one use of a code for an order. Refuses (FAILED_PRECONDITION)
    /// past usage_limit, ends_at or once_per_customer; the same order again
    /// answers `redeemed` false with the same usage count.
    public func redeemDiscountCode(
        _ request: RedeemDiscountCodeRequest, idempotencyKey: String? = nil
    ) async throws -> RedeemDiscountCodeResponse {
        try await call(PriceRulesRPC.redeemDiscountCode, request, idempotencyKey: idempotencyKey)
    }

    /// Counts one use of `code` for `orderID`.
    public func redeemDiscountCode(
        code: String, orderID: String, customerID: String? = nil, idempotencyKey: String? = nil
    ) async throws -> RedeemDiscountCodeResponse {
        try await redeemDiscountCode(
            RedeemDiscountCodeRequest(code: code, orderId: orderID, customerId: customerID),
            idempotencyKey: idempotencyKey)
    }

    /// Gives back the uses of an order (cancelled, payment failed); idempotent.
    public func rollbackRedemption(
        _ request: RollbackRedemptionRequest, idempotencyKey: String? = nil
    ) async throws -> RollbackRedemptionResponse {
        try await call(PriceRulesRPC.rollbackRedemption, request, idempotencyKey: idempotencyKey)
    }

    /// Gives back the uses of `orderID`.
    public func rollbackRedemption(orderID: String, idempotencyKey: String? = nil) async throws -> RollbackRedemptionResponse {
        try await rollbackRedemption(RollbackRedemptionRequest(orderId: orderID), idempotencyKey: idempotencyKey)
    }
}
