@_exported import DiscountProto
@_exported import ProtoCodec
import TTRPC

@_exported import struct TTRPC.RPCError
@_exported import struct TTRPC.StatusCode

/// A typed client for discountd: one multiplexed connection, safe to share
/// across tasks; every call carries the token, a deadline and, for writes, an
/// optional idempotency key.
///
/// ```swift
/// let client = try await DiscountClient.connect(socketPath: "./discountd.sock")
/// let health = try await client.health()
/// print(health.status)   // .serving
/// ```
public final class DiscountClient: Sendable {
    public struct Options: Sendable {
        /// Sent as `authorization: Bearer <token>`; nil for same-user access.
        public var token: String?
        /// Deadline for each call.
        public var timeout: Duration
        /// Sent as `x-request-id`, so daemon logs can be matched to this client.
        public var requestID: String?

        public init(token: String? = nil, timeout: Duration = .seconds(10), requestID: String? = nil) {
            self.token = token
            self.timeout = timeout
            self.requestID = requestID
        }
    }

    public let options: Options
    private let connection: TTRPCClient

    private init(connection: TTRPCClient, options: Options) {
        self.connection = connection
        self.options = options
    }

    public static func connect(socketPath: String, options: Options = Options()) async throws -> DiscountClient {
        DiscountClient(connection: try await TTRPCClient.connect(socketPath: socketPath), options: options)
    }

    public func close() async {
        await connection.close()
    }

    /// The same connection with other options: a deadline, token or request
    /// id for some calls only, e.g. `client.with { $0.timeout = .seconds(1) }.getPriceRule(id: id)`.
    /// Closing either closes the shared connection.
    public func with(_ change: (inout Options) -> Void) -> DiscountClient {
        var options = options
        change(&options)
        return DiscountClient(connection: connection, options: options)
    }

    /// Calls a discountd method, e.g. `client.call(PriceRulesRPC.getPriceRule, request)`.
    public func call<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, idempotencyKey: String? = nil
    ) async throws -> Response {
        try await call(method.service, method.name, request, as: Response.self, idempotencyKey: idempotencyKey)
    }

    /// Calls any discountd method by name.
    public func call<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String, _ request: Request, as: Response.Type = Response.self,
        idempotencyKey: String? = nil
    ) async throws -> Response {
        try await connection.call(
            service, method, request, as: Response.self,
            metadata: metadata(idempotencyKey: idempotencyKey), timeout: options.timeout)
    }

    /// Calls a server-streaming discountd method; yields each message, and
    /// throws the call's error (`RPCError`) if it fails. `timeout` overrides
    /// `options.timeout` for this call.
    public func serverStream<Request, Response>(
        _ method: ProtoMethod<Request, Response>, _ request: Request, idempotencyKey: String? = nil,
        timeout: Duration? = nil
    ) -> AsyncThrowingStream<Response, any Error> {
        serverStream(
            method.service, method.name, request, as: Response.self, idempotencyKey: idempotencyKey, timeout: timeout)
    }

    /// Calls any server-streaming discountd method by name; yields each
    /// message, and throws the call's error (`RPCError`) if it fails.
    /// `timeout` overrides `options.timeout` for this call.
    public func serverStream<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String, _ request: Request, as: Response.Type = Response.self,
        idempotencyKey: String? = nil, timeout: Duration? = nil
    ) -> AsyncThrowingStream<Response, any Error> {
        connection.serverStream(
            service, method, request, as: Response.self,
            metadata: metadata(idempotencyKey: idempotencyKey), timeout: timeout ?? options.timeout)
    }

    func metadata(idempotencyKey: String? = nil) -> Metadata {
        var metadata = Metadata()
        if let token = options.token { metadata.add("authorization", "Bearer \(token)") }
        if let requestID = options.requestID { metadata.add("x-request-id", requestID) }
        if let idempotencyKey { metadata.add("idempotency-key", idempotencyKey) }
        return metadata
    }
}
