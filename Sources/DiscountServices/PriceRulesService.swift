import DiscountCore
import DiscountProto
import DiscountStore
import Foundation
import ProtoCodec
import SystemRandom
import TTRPC

/// `discountd.v1.PriceRules`: the thin edge between the wire and `PriceRuleBook`.
/// Checks requests, maps messages to records and back.
struct PriceRulesService: Sendable {
    let book: PriceRuleBook
    /// Codes stored per transaction and per progress message of a batch.
    let batchChunk: Int

    func register(in registrar: inout MethodRegistrar) {
        registrar.write(PriceRulesRPC.createPriceRule, scope: .writePriceRules) { (request: CreatePriceRuleRequest, call) in
            let now = Instant.now()
            var rule = PriceRuleRecord(
                id: TimeOrderedID.make(), projectID: call.projectID, title: "", valueKind: .percentage,
                value: 0, startsAt: now, createdAt: now, updatedAt: now)
            try Self.apply(
                title: request.title, valueType: request.valueType, value: request.value, currency: request.currency,
                startsAt: request.startsAt, endsAt: request.endsAt, clearEndsAt: false,
                usageLimit: request.usageLimit, clearUsageLimit: false, oncePerCustomer: request.oncePerCustomer,
                to: &rule, creating: true)
            let created = rule
            let respond: @Sendable (()) -> CreatePriceRuleResponse = { _ in
                CreatePriceRuleResponse(priceRule: PriceRuleMessage(created))
            }
            _ = try await book.createRule(rule, options: call.write(answering: respond))
            return respond(())
        }
        registrar.read(
            PriceRulesRPC.getPriceRule, scope: .readPriceRules,
            fromMemory: { [book] (request: GetPriceRuleRequest, principal) in
                book.cachedRule(projectID: principal.projectID, id: request.priceRuleId)
                    .map { GetPriceRuleResponse(priceRule: PriceRuleMessage($0)) }
            }
        ) { (request: GetPriceRuleRequest, principal, _) in
            let id = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
            return GetPriceRuleResponse(priceRule: PriceRuleMessage(try await book.rule(projectID: principal.projectID, id: id)))
        }
        registrar.read(PriceRulesRPC.listPriceRules, scope: .readPriceRules) { (request: ListPriceRulesRequest, principal, _) in
            let limit = try Validate.pageSize(request.pageSize)
            let rules = try await book.rules(
                projectID: principal.projectID, after: try Validate.idPageToken(request.pageToken), limit: limit)
            return ListPriceRulesResponse(
                priceRules: rules.map(PriceRuleMessage.init), nextPageToken: rules.count == limit ? rules.last!.id : "")
        }
        registrar.write(PriceRulesRPC.updatePriceRule, scope: .writePriceRules) { (request: UpdatePriceRuleRequest, call) in
            let id = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
            let changed = try await book.changedRule(projectID: call.projectID, id: id) { rule in
                try Self.apply(
                    title: request.title, valueType: request.valueType, value: request.value, currency: request.currency,
                    startsAt: request.startsAt, endsAt: request.endsAt, clearEndsAt: request.clearEndsAt,
                    usageLimit: request.usageLimit, clearUsageLimit: request.clearUsageLimit,
                    oncePerCustomer: request.oncePerCustomer, to: &rule, creating: false)
            }
            let respond: @Sendable (PriceRuleRecord?) throws -> UpdatePriceRuleResponse = { stored in
                guard let stored else { throw ServiceError.priceRuleNotFound(id) }
                return UpdatePriceRuleResponse(priceRule: PriceRuleMessage(stored))
            }
            return try respond(try await book.updateRule(changed, options: call.write(answering: respond)))
        }
        registrar.write(PriceRulesRPC.deletePriceRule, scope: .writePriceRules) { (request: DeletePriceRuleRequest, call) in
            let id = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
            let respond: @Sendable (Int64?) throws -> DeletePriceRuleResponse = { deleted in
                guard let deleted else { throw ServiceError.priceRuleNotFound(id) }
                return DeletePriceRuleResponse(priceRuleId: id, deletedDiscountCodes: deleted)
            }
            return try respond(
                try await book.deleteRule(projectID: call.projectID, id: id, options: call.write(answering: respond)))
        }
        registerCodes(in: &registrar)
        registerUse(in: &registrar)
    }

    private func registerCodes(in registrar: inout MethodRegistrar) {
        registrar.write(PriceRulesRPC.createDiscountCode, scope: .writePriceRules) { (request: CreateDiscountCodeRequest, call) in
            let code = try Self.newCode(request, projectID: call.projectID)
            let respond: @Sendable (()) -> CreateDiscountCodeResponse = { _ in
                CreateDiscountCodeResponse(discountCodes: [DiscountCodeMessage(code)])
            }
            _ = try await book.createCode(code, options: call.write(answering: respond))
            return respond(())
        }
        registrar.bulk(PriceRulesRPC.batchCreateDiscountCodes, scope: .writePriceRules) {
            (request: BatchCreateDiscountCodesRequest, principal, run, writer: StreamWriter<BatchCreateDiscountCodesResponse>) in
            let result = try await BatchCodeCreation(
                book: book, projectID: principal.projectID, request: request, run: run, chunk: batchChunk
            )
            .perform { processed, total in
                try await writer.send(
                    BatchCreateDiscountCodesResponse(
                        progress: BulkProgress(processed: Int64(processed), total: Int64(total))))
            }
            return BatchCreateDiscountCodesResponse(result: result)
        }
        registrar.read(
            PriceRulesRPC.getDiscountCode, scope: .readPriceRules,
            fromMemory: { [book] (request: GetDiscountCodeRequest, principal) in
                book.cachedCode(projectID: principal.projectID, ruleID: request.priceRuleId, id: request.discountCodeId)
                    .map { GetDiscountCodeResponse(discountCode: DiscountCodeMessage($0)) }
            }
        ) { (request: GetDiscountCodeRequest, principal, _) in
            let ruleID = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
            let id = try Validate.nonEmpty(request.discountCodeId, field: "discount_code_id")
            return GetDiscountCodeResponse(
                discountCode: DiscountCodeMessage(try await book.code(projectID: principal.projectID, ruleID: ruleID, id: id)))
        }
        registrar.read(PriceRulesRPC.listDiscountCodes, scope: .readPriceRules) {
            (request: ListDiscountCodesRequest, principal, _) in
            let ruleID = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
            let limit = try Validate.pageSize(request.pageSize)
            let codes = try await book.codes(
                projectID: principal.projectID, ruleID: ruleID,
                after: try Validate.idPageToken(request.pageToken), limit: limit)
            return ListDiscountCodesResponse(
                discountCodes: codes.map(DiscountCodeMessage.init), nextPageToken: codes.count == limit ? codes.last!.id : "")
        }
        registrar.read(
            PriceRulesRPC.lookupDiscountCode, scope: .readPriceRules,
            fromMemory: { [book] (request: LookupDiscountCodeRequest, principal) in
                book.cachedLookup(projectID: principal.projectID, text: request.code).map {
                    LookupDiscountCodeResponse(discountCode: DiscountCodeMessage($0.0), priceRule: PriceRuleMessage($0.1))
                }
            }
        ) { (request: LookupDiscountCodeRequest, principal, _) in
            let text = try Validate.codeText(request.code, field: "code")
            let (code, rule) = try await book.lookup(projectID: principal.projectID, text: text)
            return LookupDiscountCodeResponse(discountCode: DiscountCodeMessage(code), priceRule: PriceRuleMessage(rule))
        }
        registrar.write(PriceRulesRPC.updateDiscountCode, scope: .writePriceRules) { (request: UpdateDiscountCodeRequest, call) in
            let ruleID = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
            let id = try Validate.nonEmpty(request.discountCodeId, field: "discount_code_id")
            let text = try request.code.map { try Validate.codeText($0, field: "code") }
            let usageLimit = try Validate.usageLimit(request.usageLimit, field: "usage_limit")
            let (changed, before) = try await book.changedCode(projectID: call.projectID, ruleID: ruleID, id: id) { code in
                if let text { code.code = text }
                if let useWithOther = request.useWithOther { code.useWithOther = useWithOther }
                if request.clearUsageLimit { code.usageLimit = nil } else if let usageLimit { code.usageLimit = usageLimit }
            }
            let respond: @Sendable (DiscountCodeRecord?) throws -> UpdateDiscountCodeResponse = { stored in
                guard let stored else { throw ServiceError.discountCodeNotFound(id) }
                return UpdateDiscountCodeResponse(discountCode: DiscountCodeMessage(stored))
            }
            return try respond(try await book.updateCode(changed, before: before, options: call.write(answering: respond)))
        }
        registrar.write(PriceRulesRPC.deleteDiscountCode, scope: .writePriceRules) { (request: DeleteDiscountCodeRequest, call) in
            let ruleID = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
            let id = try Validate.nonEmpty(request.discountCodeId, field: "discount_code_id")
            let respond: @Sendable (Bool) throws -> DeleteDiscountCodeResponse = { deleted in
                guard deleted else { throw ServiceError.discountCodeNotFound(id) }
                return DeleteDiscountCodeResponse(discountCodeId: id)
            }
            try await book.deleteCode(projectID: call.projectID, ruleID: ruleID, id: id, options: call.write(answering: respond))
            return DeleteDiscountCodeResponse(discountCodeId: id)
        }
    }

    private func registerUse(in registrar: inout MethodRegistrar) {
        registrar.read(PriceRulesRPC.validateDiscountCode, scope: .readPriceRules) {
            (request: ValidateDiscountCodeRequest, principal, _) in
            let text = try Validate.codeText(request.code, field: "code")
            let found: (RedemptionRefusal?, DiscountCodeRecord, PriceRuleRecord)
            do {
                found = try await book.validate(
                    projectID: principal.projectID, text: text, customerID: request.customerId, at: .now())
            } catch let error as ServiceError where error.reason == "DISCOUNT_CODE_NOT_FOUND" {
                return ValidateDiscountCodeResponse(valid: false, reason: error.reason, message: error.message)
            }
            let (refusal, code, rule) = found
            return ValidateDiscountCodeResponse(
                valid: refusal == nil, reason: refusal?.rawValue ?? "",
                message: refusal.map { ServiceError.refused($0, code: code.code).message } ?? "Code \(code.code) applies.",
                discountCode: DiscountCodeMessage(code), priceRule: PriceRuleMessage(rule))
        }
        registrar.write(PriceRulesRPC.redeemDiscountCode, scope: .writePriceRules) { (request: RedeemDiscountCodeRequest, call) in
            let (redemption, text) = try Self.redemption(request, projectID: call.projectID)
            let respond: @Sendable (RedemptionOutcome) throws -> RedeemDiscountCodeResponse = {
                try Self.redeemed($0, text: text)
            }
            return try respond(try await book.redeem(redemption, options: call.write(answering: respond)))
        }
        registrar.write(PriceRulesRPC.rollbackRedemption, scope: .writePriceRules) { (request: RollbackRedemptionRequest, call) in
            let orderID = try Validate.nonEmpty(request.orderId, field: "order_id")
            let respond: @Sendable ([DiscountCodeRecord]) -> RollbackRedemptionResponse = { released in
                RollbackRedemptionResponse(orderId: orderID, released: Int32(clamping: released.count))
            }
            return respond(
                try await book.rollback(projectID: call.projectID, orderID: orderID, options: call.write(answering: respond)))
        }
    }

    /// Applies the fields of a create or update request to `rule`, checking each.
    static func apply(
        title: String?, valueType: ValueType?, value: Double?, currency: String?, startsAt: ProtoTimestamp?,
        endsAt: ProtoTimestamp?, clearEndsAt: Bool, usageLimit: Int64?, clearUsageLimit: Bool, oncePerCustomer: Bool?,
        to rule: inout PriceRuleRecord, creating: Bool
    ) throws {
        if let title { rule.title = try Validate.nonEmpty(title, field: "title") }
        if let valueType {
            switch valueType {
            case .percentage: rule.valueKind = .percentage
            case .fixedAmount: rule.valueKind = .fixedAmount
            default: throw ServiceError.invalidArgument(field: "value_type", "value_type must be PERCENTAGE or FIXED_AMOUNT")
            }
        }
        if let value { rule.value = value }
        if let currency, !currency.isEmpty || creating {
            rule.currency = currency.isEmpty ? "" : try Validate.currency(currency)
        }
        if let startsAt { rule.startsAt = try Instant(startsAt, field: "starts_at") }
        if clearEndsAt { rule.endsAt = nil } else if let endsAt { rule.endsAt = try Instant(endsAt, field: "ends_at") }
        if clearUsageLimit {
            rule.usageLimit = nil
        } else if let usageLimit {
            rule.usageLimit = try Validate.usageLimit(usageLimit, field: "usage_limit")
        }
        if let oncePerCustomer { rule.oncePerCustomer = oncePerCustomer }

        switch rule.valueKind {
        case .percentage:
            guard rule.value.isFinite, rule.value > 0, rule.value <= 100 else {
                throw ServiceError.invalidArgument(field: "value", "value must be a percentage above 0 and at most 100")
            }
        case .fixedAmount:
            guard rule.value > 0, rule.value <= PriceRuleRecord.maxFixedAmount, rule.value == rule.value.rounded() else {
                throw ServiceError.invalidArgument(
                    field: "value",
                    "value must be a positive whole amount in minor units, at most \(Int64(PriceRuleRecord.maxFixedAmount))")
            }
            guard !rule.currency.isEmpty else {
                throw ServiceError.invalidArgument(field: "currency", "currency is required for FIXED_AMOUNT rules")
            }
        }
        if let endsAt = rule.endsAt, endsAt <= rule.startsAt {
            throw ServiceError.invalidArgument(field: "ends_at", "ends_at must be after starts_at")
        }
    }

    /// The code a CreateDiscountCode request asks for, validated, with a new id.
    private static func newCode(_ request: CreateDiscountCodeRequest, projectID: String) throws -> DiscountCodeRecord {
        let ruleID = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
        guard let new = request.discountCode else {
            throw ServiceError.invalidArgument(field: "discount_code", "discount_code is required")
        }
        let text = try Validate.codeText(new.code, field: "discount_code.code")
        let now = Instant.now()
        return DiscountCodeRecord(
            id: TimeOrderedID.make(), projectID: projectID, priceRuleID: ruleID, code: text,
            useWithOther: new.useWithOther,
            usageLimit: try Validate.usageLimit(new.usageLimit, field: "discount_code.usage_limit"),
            createdAt: now, updatedAt: now)
    }

    /// The redemption a RedeemDiscountCode request asks for, and the code text as given.
    private static func redemption(
        _ request: RedeemDiscountCodeRequest, projectID: String
    ) throws -> (RedemptionRequest, text: String) {
        let text = try Validate.codeText(request.code, field: "code")
        let orderID = try Validate.nonEmpty(request.orderId, field: "order_id")
        let customerID = try request.customerId.map { try Validate.nonEmpty($0, field: "customer_id") }
        let redemption = RedemptionRequest(
            projectID: projectID, canonicalCode: CodeText.canonical(text), orderID: orderID,
            customerID: customerID, at: .now())
        return (redemption, text)
    }

    private static func redeemed(_ outcome: RedemptionOutcome, text: String) throws -> RedeemDiscountCodeResponse {
        switch outcome {
        case .redeemed(let code, _):
            return RedeemDiscountCodeResponse(
                discountCode: DiscountCodeMessage(code), usageCount: code.usageCount, redeemed: true)
        case .alreadyRedeemed(let code, _):
            return RedeemDiscountCodeResponse(
                discountCode: DiscountCodeMessage(code), usageCount: code.usageCount, redeemed: false)
        case .refused(let refusal, let code, _):
            throw ServiceError.refused(refusal, code: code.code)
        case .codeNotFound:
            throw ServiceError.discountCodeNotFound(text, field: "code")
        }
    }
}
