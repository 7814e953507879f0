import NIOCore
import ProtoCodec

/// How a method runs.
public enum MethodHandler: Sendable {
    /// Runs on the connection's event loop and must not block: for answers that
    /// need no I/O (health, cached facts). Saves two thread hops per call.
    case inline(@Sendable ([UInt8], CallContext) throws -> [UInt8])
    /// Tries `fast` on the event loop (a cache hit); when it returns nil, runs
    /// `slow` as a task. Reads answer from memory without a thread hop.
    case inlineFirst(
        fast: @Sendable ([UInt8], CallContext) throws -> [UInt8]?,
        slow: @Sendable ([UInt8], CallContext) async throws -> [UInt8])
    /// Starts on the event loop and hands the call to something that answers
    /// through `CallReply` from its own thread (a store's writer calling back on
    /// commit), so the call costs no task and no thread hop of its own. `start`
    /// may also answer at once (from memory), or decline, having kept nothing,
    /// when it cannot take the call (a cache miss, say): `slow` then runs as a task.
    case handOff(
        start: @Sendable ([UInt8], CallContext, CallReply) throws -> HandOffStart,
        slow: @Sendable ([UInt8], CallContext) async throws -> [UInt8])
    /// Runs as a task; the answer is written when it is ready.
    case unary(@Sendable ([UInt8], CallContext) async throws -> [UInt8])
    /// Sends any number of messages as data frames, then a final response.
    case serverStreaming(@Sendable ([UInt8], CallContext, StreamSink) async throws -> Void)
}

/// What `MethodHandler.handOff`'s `start` did with a call.
public enum HandOffStart: Sendable {
    /// The answer, written at once; the `CallReply` is not used.
    case answered([UInt8])
    /// Taken: the `CallReply` will answer.
    case handedOff
    /// Not taken (nothing kept): `slow` runs.
    case declined
}

/// The route table from (service, method) to handler, plus the policy that turns
/// thrown errors into statuses. Built once before serving, then read-only.
public struct Router: Sendable {
    private var services: [String: [String: Route]] = [:]

    /// Calls, errors and latencies of every registered method, and connections.
    public let metrics = ServerMetrics()

    /// A handler and the metrics it reports into.
    public struct Route: Sendable {
        public let handler: MethodHandler
        let metrics: MethodMetrics
    }

    /// Maps any error a handler throws to the status sent back. The default keeps
    /// `RPCErrorConvertible` errors and hides everything else behind INTERNAL.
    public var errorMapper: @Sendable (any Error, CallContext) -> RPCError = Router.defaultErrorMapper

    public init() {}

    public mutating func register(_ service: String, _ method: String, _ handler: MethodHandler) {
        services[service, default: [:]][method] = Route(
            handler: handler, metrics: metrics.metrics(service: service, method: method))
    }

    public func lookup(service: String, method: String) -> Result<Route, RPCError> {
        guard let methods = services[service] else {
            return .failure(RPCError(.unimplemented, "service \(service) is not implemented"))
        }
        guard let handler = methods[method] else {
            return .failure(RPCError(.unimplemented, "method \(method) of service \(service) is not implemented"))
        }
        return .success(handler)
    }

    public var serviceNames: [String] { services.keys.sorted() }

    public static let defaultErrorMapper: @Sendable (any Error, CallContext) -> RPCError = { error, context in
        switch error {
        case let convertible as any RPCErrorConvertible:
            return convertible.rpcError
        case is ProtoDecodingError:
            return RPCError(.invalidArgument, "malformed \(context.service).\(context.method) request: \(error)")
        case is CancellationError:
            return RPCError(.cancelled, "call cancelled")
        default:
            context.logger.error("handler failed", metadata: ["error": "\(error)"])
            return RPCError(.internal, "internal error")
        }
    }
}

// MARK: - Typed registration

extension Router {
    // The typed registrations are inlinable so each is specialized for its
    // message types where it is called, rather than decoding through generics.

    /// Registers a unary method that runs on the event loop (see `MethodHandler.inline`).
    @inlinable
    public mutating func inline<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (Request, CallContext) throws -> Response
    ) {
        register(service, method, .inline { payload, context in
            try body(try Request(protobufBytes: payload), context).encoded()
        })
    }

    /// Registers a unary method that runs as a task.
    @inlinable
    public mutating func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (Request, CallContext) async throws -> Response
    ) {
        register(service, method, .unary { payload, context in
            try await body(try Request(protobufBytes: payload), context).encoded()
        })
    }

    /// Registers a server-streaming method.
    @inlinable
    public mutating func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (Request, CallContext, StreamWriter<Response>) async throws -> Void
    ) {
        register(service, method, .serverStreaming { payload, context, sink in
            try await body(try Request(protobufBytes: payload), context, StreamWriter(sink: sink))
        })
    }
}
