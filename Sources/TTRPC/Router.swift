import NIOCore
import ProtoCodec

/// How a method runs: one body, run as a task, and for methods that can
/// often answer from memory (cached reads) a fast path tried first on the
/// connection's event loop, which costs no task and no thread hop.
public struct MethodHandler: Sendable {
    public enum Body: Sendable {
        /// One request, one response.
        case unary(@Sendable ([UInt8], CallContext) async throws -> [UInt8])
        /// Any number of messages as data frames, then a final response.
        case serverStreaming(@Sendable ([UInt8], CallContext, StreamSink) async throws -> Void)
    }

    /// Where the body's task runs between its waits.
    public enum Placement: Sendable {
        /// The global pool: for bodies that may compute or read at length.
        case globalPool
        /// The connection's event loop, for bodies that do little besides
        /// waiting for one store write: each call then hops event loop →
        /// store thread → event loop, not through a pool thread at both ends
        /// (two thread wake-ups fewer). A body that ran long here would hold
        /// up every other connection on the loop.
        case eventLoop
    }

    /// What a unary method's fast path made of a call.
    public enum FastPathOutcome: Sendable {
        /// The answer, made on the event loop.
        case answered([UInt8])
        /// Not from memory: the body runs as a task.
        case runBody
        /// Not from memory, but what the fast path already did (the caller
        /// authorized, the request decoded) is carried in `rest`, which runs
        /// as the call's task in place of the body, so nothing is done twice.
        case continueWith(_ rest: @Sendable () async throws -> [UInt8])
    }

    public let body: Body
    /// A unary method's first try, on the event loop: it must not block or
    /// wait. Streaming methods have none.
    public let fastPath: (@Sendable ([UInt8], CallContext) throws -> FastPathOutcome)?
    public let placement: Placement

    private init(
        body: Body, fastPath: (@Sendable ([UInt8], CallContext) throws -> FastPathOutcome)?, placement: Placement
    ) {
        self.body = body
        self.fastPath = fastPath
        self.placement = placement
    }

    public static func unary(
        _ body: @escaping @Sendable ([UInt8], CallContext) async throws -> [UInt8],
        fastPath: (@Sendable ([UInt8], CallContext) throws -> FastPathOutcome)? = nil,
        placement: Placement = .globalPool
    ) -> MethodHandler {
        MethodHandler(body: .unary(body), fastPath: fastPath, placement: placement)
    }

    public static func serverStreaming(
        _ body: @escaping @Sendable ([UInt8], CallContext, StreamSink) async throws -> Void,
        placement: Placement = .globalPool
    ) -> MethodHandler {
        MethodHandler(body: .serverStreaming(body), fastPath: nil, placement: placement)
    }
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

    /// Registers a unary method that always answers on the event loop
    /// (it must not block or wait: health, facts held in memory).
    @inlinable
    public mutating func inline<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (Request, CallContext) throws -> Response
    ) {
        let answer: @Sendable ([UInt8], CallContext) throws -> [UInt8] = { payload, context in
            try body(try Request(protobufBytes: payload), context).encoded()
        }
        register(service, method, .unary({ try answer($0, $1) }, fastPath: { .answered(try answer($0, $1)) }))
    }

    /// Registers a unary method that runs as a task.
    @inlinable
    public mutating func unary<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (Request, CallContext) async throws -> Response
    ) {
        register(
            service, method,
            .unary { payload, context in
                try await body(try Request(protobufBytes: payload), context).encoded()
            })
    }

    /// Registers a server-streaming method.
    @inlinable
    public mutating func serverStreaming<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String,
        _ body: @escaping @Sendable (Request, CallContext, StreamWriter<Response>) async throws -> Void
    ) {
        register(
            service, method,
            .serverStreaming { payload, context, sink in
                try await body(try Request(protobufBytes: payload), context, StreamWriter(sink: sink))
            })
    }
}
