import ProtoCodec
import TTRPC

/// Turns whatever a handler throws into the status sent back; causes of
/// internal failures are logged, never sent.
public let discountErrorMapper: @Sendable (any Error, CallContext) -> RPCError = { error, context in
    switch error {
    case let failure as ServiceError:
        return failure.rpcError
    case let decoding as ProtoDecodingError:
        if let problem = decoding.stringProblem {
            return ServiceError.invalidArgument(
                field: problem.field,
                problem.kind == .nul
                    ? "\(problem.field) must not contain NUL characters"
                    : "\(problem.field) must be valid UTF-8"
            ).rpcError
        }
        return ServiceError.invalidArgument(
            field: "payload", "malformed \(context.service).\(context.method) request: \(decoding)"
        ).rpcError
    default:
        return Router.defaultErrorMapper(error, context)
    }
}
