import ProtoCodec

// Calls by generated method (`PriceRulesRPC.createDiscountCode`): the names
// come from proto/, and the request and answer are its messages.
extension TTRPCClient {
    /// Calls a unary method; throws the server's status as `RPCError`.
    public func call<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request,
        metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) async throws -> Response {
        try await call(method.service, method.name, request, as: Response.self, metadata: metadata, timeout: timeout)
    }

    /// Calls a server-streaming method; yields each message, and throws the
    /// call's error (`RPCError`) if it fails.
    public func serverStream<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request,
        metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) -> AsyncThrowingStream<Response, any Error> {
        serverStream(method.service, method.name, request, as: Response.self, metadata: metadata, timeout: timeout)
    }

    /// Calls `method` with a payload encoded elsewhere (or not at all, to test
    /// a server); returns the encoded answer.
    public func call<Request, Response>(
        _ method: ProtoMethod<Request, Response>, payload: [UInt8],
        metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) async throws -> [UInt8] {
        try await call(service: method.service, method: method.name, payload: payload, metadata: metadata, timeout: timeout)
    }
}
