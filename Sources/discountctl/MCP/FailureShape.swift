/// How a tool words a failure. The documented APIs each have their own form;
/// every form keeps the daemon's reason, hint and field beside it.
enum FailureShape: Sendable {
    /// `{"error": message, "code": status, "reason", "hint", "field"}`: the
    /// commission tool's documented form (`error` and `hint`), used by every
    /// tool without a documented API of its own.
    case plain
    /// Create Discount Code: `{"code": "InvalidParameter", "message": …}`.
    case priceRuleCode
    /// Get Discount Code Details: `{"error": "Not Found", "errors": [message]}`.
    case httpStatusText
    /// The voucher tools: `{"success": false, "data": null, "error": message}`,
    /// with the paging keys when `paged`.
    case voucherEnvelope(paged: Bool)

    func body(_ failure: ToolFailure) -> DocumentedJSON {
        switch self {
        case .plain:
            return .object([("error", .string(failure.message)), ("code", .string(failure.status))] + failure.details)
        case .priceRuleCode:
            return .object(
                [("code", .string(Self.priceRuleCode(failure.status))), ("message", .string(failure.message))] + failure.details)
        case .httpStatusText:
            return .object(
                [("error", .string(Self.httpStatusText(failure.status))), ("errors", .array([.string(failure.message)]))]
                    + failure.details)
        case .voucherEnvelope(let paged):
            return VoucherEnvelope.failure(
                failure.message, paged: paged, extra: [("code", .string(failure.status))] + failure.details)
        }
    }

    /// The Create Discount Code API's error codes: `InvalidParameter` as
    /// documented, the other statuses in the same UpperCamelCase (`AlreadyExists`
    /// for a taken code, `NotFound` for a missing price rule).
    static func priceRuleCode(_ status: String) -> String {
        if status == "INVALID_ARGUMENT" { return "InvalidParameter" }
        return status.split(separator: "_").map { String($0.prefix(1)) + $0.dropFirst().lowercased() }.joined()
    }

    /// Get Discount Code Details names its errors by their HTTP status text.
    static func httpStatusText(_ status: String) -> String {
        switch status {
        case "INVALID_ARGUMENT", "OUT_OF_RANGE": "Bad Request"
        case "UNAUTHENTICATED": "Unauthorized"
        case "PERMISSION_DENIED": "Forbidden"
        case "NOT_FOUND": "Not Found"
        case "ALREADY_EXISTS", "ABORTED": "Conflict"
        case "FAILED_PRECONDITION": "Precondition Failed"
        case "RESOURCE_EXHAUSTED": "Too Many Requests"
        case "DEADLINE_EXCEEDED": "Gateway Timeout"
        case "UNAVAILABLE": "Service Unavailable"
        case "UNIMPLEMENTED": "Not Implemented"
        default: "Internal Server Error"
        }
    }
}
