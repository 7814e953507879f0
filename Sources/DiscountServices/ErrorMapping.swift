import DiscountStore
import ProtoCodec
import TTRPC

/// Turns whatever a handler throws into the status sent back; causes of
/// internal failures are logged, never sent.
public let discountErrorMapper: @Sendable (any Error, CallContext) -> RPCError = { error, context in
    switch error {
    case let failure as ServiceError:
        return failure.rpcError
    case let storeError as StoreError:
        // Whatever path a store error took: those a caller can act on (a full
        // disk, a deadline, shutdown) get their own status; the rest are INTERNAL.
        if let failure = ServiceError.from(storeError) as? ServiceError { return failure.rpcError }
        return Router.defaultErrorMapper(error, context)
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
