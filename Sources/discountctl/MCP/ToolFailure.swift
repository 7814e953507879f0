import DiscountClient

/// Why a tool call failed, whatever failed: the daemon's status and
/// ErrorDetail, an argument the bridge refused, or an unreachable daemon.
struct ToolFailure: Sendable {
    var message: String
    /// The status name, e.g. NOT_FOUND.
    var status: String
    var reason = ""
    var hint = ""
    var field = ""

    init(_ error: any Error) {
        switch error {
        case let error as RPCError:
            message = error.message
            status = error.code.name
            reason = error.detail?.reason ?? ""
            hint = error.detail?.hint ?? ""
            field = error.detail?.field ?? ""
        case let error as ToolArgumentError:
            message = error.message
            status = "INVALID_ARGUMENT"
            reason = "INVALID_ARGUMENT"
            hint = error.hint
            field = error.field
        case let error as ToolRefusal:
            message = error.message
            status = error.status
            reason = error.reason
            hint = error.hint
            field = error.field
        case let error as DaemonUnreachable:
            message = "cannot reach discountd at \(error.socket): \(error.cause)"
            status = "UNAVAILABLE"
            hint = "start it with scripts/run, or give discountctl mcp the right --socket"
        default:
            message = "\(error)"
            status = "INTERNAL"
        }
    }

    /// reason, hint and field, where there are any.
    var details: [(String, DocumentedJSON)] {
        [("reason", reason), ("hint", hint), ("field", field)].filter { !$0.1.isEmpty }.map { ($0.0, .string($0.1)) }
    }
}

/// A call the bridge answers itself, in the daemon's words (e.g. an agent_id
/// that cannot be a registered agent's).
struct ToolRefusal: Error {
    var message: String
    var status: String
    var reason: String
    var hint = ""
    var field = ""
}
