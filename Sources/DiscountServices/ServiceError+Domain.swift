import DiscountCore
import DiscountStore
import TTRPC

extension ServiceError {
    static func priceRuleNotFound(_ id: String) -> ServiceError {
        ServiceError(.notFound, reason: "PRICE_RULE_NOT_FOUND", "Price rule \(id) not found.", field: "price_rule_id")
    }

    static func discountCodeNotFound(_ id: String, field: String = "discount_code_id") -> ServiceError {
        ServiceError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", "Discount code \(id) not found.", field: field)
    }

    static func projectNotFound(_ id: String) -> ServiceError {
        ServiceError(.notFound, reason: "PROJECT_NOT_FOUND", "Project \(id) not found.", field: "project_id")
    }

    static func codeTaken(_ code: String) -> ServiceError {
        ServiceError(
            .alreadyExists, reason: "CODE_TAKEN", "Code \(code) is already taken in this project.",
            hint: "Codes are unique per project, compared case-insensitively; choose another.", field: "code")
    }

    static func refused(_ refusal: RedemptionRefusal, code: String) -> ServiceError {
        switch refusal {
        case .usageLimitReached:
            ServiceError(.failedPrecondition, reason: refusal.rawValue, "Code \(code) has reached its usage limit.")
        case .expired:
            ServiceError(.failedPrecondition, reason: refusal.rawValue, "Code \(code) has expired.")
        case .notYetActive:
            ServiceError(.failedPrecondition, reason: refusal.rawValue, "Code \(code) is not active yet.")
        case .alreadyUsedByCustomer:
            ServiceError(
                .failedPrecondition, reason: refusal.rawValue,
                "Code \(code) can be used once per customer, and this customer has used it.")
        }
    }

    /// A store failure the caller cannot fix: logged by the mapper, sent as INTERNAL.
    static func from(_ error: StoreError) -> any Error {
        switch error {
        case .codeTaken(let code): ServiceError.codeTaken(code)
        case .conflict(let what): ServiceError(.alreadyExists, reason: "ALREADY_EXISTS", "\(what) already exists.")
        case .closed: ServiceError(.unavailable, reason: "UNAVAILABLE", "The daemon is shutting down.")
        case .deadlineExceeded:
            ServiceError(
                .deadlineExceeded, reason: "DEADLINE_EXCEEDED",
                "The call's deadline passed before its write began; nothing was written.")
        case .storageFull:
            ServiceError(
                .resourceExhausted, reason: "STORAGE_FULL",
                "The daemon's disk is full; nothing of this write was stored.",
                hint: "Free space on the filesystem that holds the data folder, then retry; deletes still work meanwhile.")
        // Answered by the idempotency step, which knows the request; seen here
        // only if a write made outside it hit a used key.
        case .replay, .failure: error
        }
    }
}
