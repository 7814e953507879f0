import DiscountCore
import DiscountStore
import Foundation
import SystemRandom

/// Builders for the rows the tests store.
enum Fixtures {
    static let t0 = Instant(seconds: 1_700_000_000)

    /// Time-ordered, as the services make them.
    static func newID() -> String { TimeOrderedID.make() }

    static func rule(
        project: String = Project.defaultID, id: String = newID(), title: String = "Summer",
        startsAt: Instant = t0, endsAt: Instant? = nil, usageLimit: Int64? = nil, oncePerCustomer: Bool = false
    ) -> PriceRule {
        PriceRule(
            id: id, projectID: project, title: title, valueKind: .percentage, value: 10, currency: "EUR",
            startsAt: startsAt, endsAt: endsAt, usageLimit: usageLimit, oncePerCustomer: oncePerCustomer,
            createdAt: t0, updatedAt: t0
        )
    }

    static func code(
        _ text: String, rule: PriceRule, id: String = newID(), usageLimit: Int64? = nil, useWithOther: Bool = false
    ) -> DiscountCode {
        DiscountCode(
            id: id, projectID: rule.projectID, priceRuleID: rule.id, code: text, useWithOther: useWithOther,
            usageLimit: usageLimit, createdAt: t0, updatedAt: t0
        )
    }

    static func token(project: String = Project.defaultID, hash: String = newID()) -> TokenRecord {
        TokenRecord(
            id: newID(), projectID: project, name: "ci", scopes: ["read_price_rules", "write_price_rules"],
            secretHash: hash, createdAt: t0, expiresAt: t0.adding(seconds: 3600)
        )
    }

    static func redemption(
        _ code: String, order: String, customer: String? = nil, project: String = Project.defaultID,
        at: Instant = t0.adding(seconds: 60)
    ) -> RedemptionRequest {
        RedemptionRequest(
            projectID: project, canonicalCode: CodeText.canonical(code), orderID: order, customerID: customer, at: at
        )
    }
}

extension RedemptionOutcome {
    var isRedeemed: Bool { if case .redeemed = self { true } else { false } }

    var refusal: RedemptionRefusal? { if case .refused(let reason, _, _) = self { reason } else { nil } }

    var code: DiscountCode? {
        switch self {
        case .redeemed(let code, _), .alreadyRedeemed(let code, _), .refused(_, let code, _): code
        case .codeNotFound: nil
        }
    }

    var rule: PriceRule? {
        switch self {
        case .redeemed(_, let rule), .alreadyRedeemed(_, let rule), .refused(_, _, let rule): rule
        case .codeNotFound: nil
        }
    }
}

extension Store {
    /// `Fixtures.rule()`, stored.
    func insertedRule() async throws -> PriceRule {
        let rule = Fixtures.rule()
        try await insertPriceRule(rule)
        return rule
    }
}
