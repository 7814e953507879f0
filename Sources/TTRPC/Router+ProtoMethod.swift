import ProtoCodec

// Registration by generated method (`PriceRulesRPC.createDiscountCode`): the
// names come from proto/, and the handler must take and return its messages.
// Inlinable, as the by-name registrations, to be specialized where called.
extension Router {
    /// Registers `handler` for `method`.
    public mutating func register<Request, Response>(_ method: ProtoMethod<Request, Response>, _ handler: MethodHandler) {
        register(method.service, method.name, handler)
    }

    /// Registers a unary method that runs on the event loop (see `MethodHandler.inline`).
    @inlinable
    public mutating func inline<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ body: @escaping @Sendable (Request, CallContext) throws -> Response
    ) {
        inline(method.service, method.name, body)
    }

    /// Registers a unary method that runs as a task.
    @inlinable
    public mutating func unary<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ body: @escaping @Sendable (Request, CallContext) async throws -> Response
    ) {
        unary(method.service, method.name, body)
    }

    /// Registers a server-streaming method.
    @inlinable
    public mutating func serverStreaming<Request, Response>(
        _ method: ProtoMethod<Request, Response>,
        _ body: @escaping @Sendable (Request, CallContext, StreamWriter<Response>) async throws -> Void
    ) {
        serverStreaming(method.service, method.name, body)
    }
}
