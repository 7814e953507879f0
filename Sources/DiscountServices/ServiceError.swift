import DiscountProto
import ProtoCodec
import TTRPC

/// A domain failure as the client sees it: status code, message for people,
/// and an `ErrorDetail` (reason, hint, field) for programs (DESIGN.md §2).
public struct ServiceError: Error, Sendable, Equatable, RPCErrorConvertible {
    public var code: StatusCode
    public var reason: String
    public var message: String
    public var hint: String
    public var field: String

    public init(_ code: StatusCode, reason: String, _ message: String, hint: String = "", field: String = "") {
        self.code = code
        self.reason = reason
        self.message = message
        self.hint = hint
        self.field = field
    }

    public var rpcError: RPCError {
        let detail = ErrorDetail(reason: reason, hint: hint, field: field)
        return RPCError(code, message, details: [ProtoAny(packing: detail)])
    }

    public static func invalidArgument(field: String, _ message: String) -> ServiceError {
        ServiceError(.invalidArgument, reason: "INVALID_ARGUMENT", message, field: field)
    }

    public static func unauthenticated(_ message: String) -> ServiceError {
        ServiceError(
            .unauthenticated, reason: "UNAUTHENTICATED", message,
            hint: "Send `authorization: Bearer <token>` metadata with a token from Admin.CreateToken.")
    }

    public static func scopeMissing(_ scope: Scope) -> ServiceError {
        ServiceError(
            .permissionDenied, reason: "SCOPE_MISSING", "token lacks scope \(scope.rawValue)",
            hint: "Create a token that includes \(scope.rawValue).")
    }
}
