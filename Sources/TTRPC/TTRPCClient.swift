import NIOCore
import NIOPosix
import ProtoCodec

/// A ttrpc client over one Unix-socket connection, shared by any number of
/// concurrent calls (each on its own stream).
public final class TTRPCClient: Sendable {
    private let channel: any Channel
    private let handler: NIOLoopBound<ClientConnectionHandler>

    private init(channel: any Channel, handler: NIOLoopBound<ClientConnectionHandler>) {
        self.channel = channel
        self.handler = handler
    }

    /// Connects to the server listening on `socketPath`.
    public static func connect(
        socketPath: String, maxDataSize: Int = 4 << 20,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> TTRPCClient {
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ByteToMessageHandler(FrameDecoder(maxDataSize: maxDataSize)))
                    try sync.addHandler(ClientConnectionHandler())
                }
            }
            .connect(unixDomainSocketPath: socketPath).get()
        let handler = try await channel.eventLoop.submit {
            NIOLoopBound(
                try channel.pipeline.syncOperations.handler(type: ClientConnectionHandler.self),
                eventLoop: channel.eventLoop)
        }.get()
        return TTRPCClient(channel: channel, handler: handler)
    }

    /// Calls a unary method with an encoded payload; returns the encoded answer
    /// or throws the server's status as `RPCError`.
    public func call(
        service: String, method: String, payload: [UInt8],
        metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) async throws -> [UInt8] {
        let request = TTRPCRequest(
            service: service, method: method, payload: payload,
            timeoutNano: timeout?.nanoseconds ?? 0, metadata: metadata.keyValues)
        let eventLoop = channel.eventLoop
        let promise = eventLoop.makePromise(of: TTRPCResponse.self)
        let handler = self.handler
        eventLoop.execute {
            guard let streamID = handler.value.send(OutgoingCall(request: request, reply: .unary(promise))),
                let timeout
            else { return }
            // The server answers DEADLINE_EXCEEDED itself; this only guards
            // against a server that never answers at all.
            let grace = TimeAmount.nanoseconds(timeout.nanoseconds) + .milliseconds(500)
            let timer = eventLoop.scheduleTask(in: grace) {
                handler.value.abandon(streamID, with: RPCError(.deadlineExceeded, "no answer within \(timeout)"))
            }
            promise.futureResult.whenComplete { _ in timer.cancel() }
        }
        let response = try await promise.futureResult.get()
        if let status = response.status, status.code != 0 {
            throw RPCError(status: status)
        }
        return response.payload
    }

    /// The event loop this connection's I/O runs on.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends a unary call and hands `completion` the raw response (a non-OK status
    /// included) or the connection's error, both on `eventLoop`. Must be called on
    /// `eventLoop`: with no task or thread hop per call, a load generator can answer
    /// each response with the next request in the same tick (writes are coalesced
    /// per tick). No client-side deadline: the caller bounds its own run.
    public func sendOnEventLoop(
        service: String, method: String, payload: [UInt8], metadata: Metadata = Metadata(),
        completion: @escaping (Result<TTRPCResponse, any Error>) -> Void
    ) {
        let request = TTRPCRequest(
            service: service, method: method, payload: payload, timeoutNano: 0, metadata: metadata.keyValues)
        handler.value.send(OutgoingCall(request: request, reply: .callback(completion)))
    }

    /// Calls a server-streaming method; yields each data frame's payload.
    public func serverStream(
        service: String, method: String, payload: [UInt8],
        metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) -> AsyncThrowingStream<[UInt8], any Error> {
        let request = TTRPCRequest(
            service: service, method: method, payload: payload,
            timeoutNano: timeout?.nanoseconds ?? 0, metadata: metadata.keyValues)
        let (stream, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let handler = self.handler
        channel.eventLoop.execute {
            handler.value.send(OutgoingCall(request: request, reply: .stream(continuation), flags: .remoteClosed))
        }
        return stream
    }

    /// Typed unary call.
    public func call<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String, _ request: Request, as: Response.Type = Response.self,
        metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) async throws -> Response {
        let payload = try await call(
            service: service, method: method, payload: request.encoded(), metadata: metadata, timeout: timeout)
        return try Response(protobufBytes: payload)
    }

    /// Typed server-streaming call: yields each message, and throws the call's
    /// error (`RPCError`) if it fails.
    public func serverStream<Request: ProtoMessage, Response: ProtoMessage>(
        _ service: String, _ method: String, _ request: Request, as: Response.Type = Response.self,
        metadata: Metadata = Metadata(), timeout: Duration? = nil
    ) -> AsyncThrowingStream<Response, any Error> {
        let payloads = serverStream(
            service: service, method: method, payload: request.encoded(), metadata: metadata, timeout: timeout)
        return AsyncThrowingStream<Response, any Error> { continuation in
            let task = Task {
                do {
                    for try await payload in payloads {
                        continuation.yield(try Response(protobufBytes: payload))
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    public func close() async {
        try? await channel.close()
    }
}
