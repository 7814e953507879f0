import DiscountStore
import ProtoCodec
import TTRPC

/// Registers discountd methods with the checks every one of them gets:
/// authorization and scope, and for writes the idempotency key.
struct MethodRegistrar {
    var router: Router
    let authorizer: Authorizer
    let idempotency: IdempotencyGuard
    let shutdown: ShutdownSignal

    /// A read. `fromMemory` answers on the event loop when it can (nil: it can't);
    /// `body` is the full path.
    mutating func read<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope?,
        fromMemory: (@Sendable (Request, Principal) throws -> Response?)? = nil,
        _ body: @escaping @Sendable (Request, Principal, CallContext) async throws -> Response
    ) {
        let authorizer = self.authorizer
        let slow = fullRead(scope: scope, body)
        guard let fromMemory else {
            router.register(method, .unary(slow))
            return
        }
        router.register(method, .inlineFirst(
            fast: { payload, context in
                guard let principal = try authorizer.authorizeFromMemory(context, scope: scope) else { return nil }
                return try fromMemory(try Request(protobufBytes: payload), principal)?.encoded()
            },
            slow: slow))
    }

    /// A write: acknowledged after commit; replays the first answer for a reused idempotency key.
    /// `replayed` makes the answer a retry with the same key gets (and the
    /// store keeps): by default the answer itself; a secret must be left out.
    mutating func write<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope?,
        replayed: (@Sendable (Response) -> Response)? = nil,
        _ body: @escaping @Sendable (Request, Principal, CallContext) async throws -> Response
    ) {
        router.register(method, .unary(fullWrite(scope: scope, replayed: replayed, body)))
    }

    private func fullWrite<Request: ProtoMessage, Response: ProtoMessage>(
        scope: Scope?, replayed: (@Sendable (Response) -> Response)? = nil,
        _ body: @escaping @Sendable (Request, Principal, CallContext) async throws -> Response
    ) -> @Sendable ([UInt8], CallContext) async throws -> [UInt8] {
        let authorizer = self.authorizer
        let idempotency = self.idempotency
        let kept: @Sendable ([UInt8]) throws -> [UInt8] = { answer in
            guard let replayed else { return answer }
            return replayed(try Response(protobufBytes: answer)).encoded()
        }
        return { payload, context in
            let principal = try await authorizer.authorize(context, scope: scope)
            let request = try Request(protobufBytes: payload)
            return try await idempotency.run(
                projectID: principal.projectID, context: context, payload: payload, kept: kept
            ) {
                try await body(request, principal, context).encoded()
            }
        }
    }

    /// A write whose common case is handed straight from the event loop to the
    /// store's writer, answering from its commit callback with no task at all.
    /// `handOff` returns false when it cannot (a cache miss); calls with an
    /// idempotency key or credentials not yet in memory take `body`, the full path.
    mutating func write<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope?,
        handOff: @escaping @Sendable (Request, Principal, WriteReply<Response>) throws -> Bool,
        _ body: @escaping @Sendable (Request, Principal, CallContext) async throws -> Response
    ) {
        let authorizer = self.authorizer
        router.register(method, .handOff(
            start: { payload, context, reply in
                guard context.metadata[IdempotencyGuard.metadataKey] == nil,
                      let principal = try authorizer.authorizeFromMemory(context, scope: scope)
                else { return .declined }
                return try handOff(try Request(protobufBytes: payload), principal, WriteReply(reply)) ? .handedOff : .declined
            },
            slow: fullWrite(scope: scope, body)))
    }

    /// A get-or-create: a read that writes the first time (so it needs no
    /// idempotency key). Answered from memory when it can be (`fromMemory`);
    /// else handed to the store's writer when all it needs is in memory
    /// (`handOff`, false when not); else `body`, the full path, as a task.
    mutating func getOrCreate<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope?,
        fromMemory: @escaping @Sendable (Request, Principal) throws -> Response?,
        handOff: @escaping @Sendable (Request, Principal, WriteReply<Response>) throws -> Bool,
        _ body: @escaping @Sendable (Request, Principal, CallContext) async throws -> Response
    ) {
        let authorizer = self.authorizer
        router.register(method, .handOff(
            start: { payload, context, reply in
                guard let principal = try authorizer.authorizeFromMemory(context, scope: scope) else { return .declined }
                let request = try Request(protobufBytes: payload)
                if let answer = try fromMemory(request, principal) { return .answered(try answer.encoded()) }
                return try handOff(request, principal, WriteReply(reply)) ? .handedOff : .declined
            },
            slow: fullRead(scope: scope, body)))
    }

    private func fullRead<Request: ProtoMessage, Response: ProtoMessage>(
        scope: Scope?, _ body: @escaping @Sendable (Request, Principal, CallContext) async throws -> Response
    ) -> @Sendable ([UInt8], CallContext) async throws -> [UInt8] {
        let authorizer = self.authorizer
        return { payload, context in
            let principal = try await authorizer.authorize(context, scope: scope)
            return try await body(try Request(protobufBytes: payload), principal, context).encoded()
        }
    }

    /// A bulk write: progress messages, then the final message `body` returns.
    /// Resumable and replayable under an idempotency key (see `BulkRun`).
    mutating func bulk<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope,
        _ body: @escaping @Sendable (Request, Principal, BulkRun, StreamWriter<Response>) async throws -> Response
    ) {
        let authorizer = self.authorizer
        let idempotency = self.idempotency
        let shutdown = self.shutdown
        router.register(method, .serverStreaming { payload, context, sink in
            let principal = try await authorizer.authorize(context, scope: scope)
            let request = try Request(protobufBytes: payload)
            let writer = StreamWriter<Response>(sink: sink)
            let final = try await idempotency.runBulk(
                projectID: principal.projectID, context: context, payload: payload, shutdown: shutdown
            ) { run in
                try await body(request, principal, run, writer).encoded()
            }
            try await writer.send(try Response(protobufBytes: final))
        })
    }

    /// A server-streaming method.
    mutating func stream<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope?,
        _ body: @escaping @Sendable (Request, Principal, CallContext, StreamWriter<Response>) async throws -> Void
    ) {
        let authorizer = self.authorizer
        router.serverStreaming(method) { (request: Request, context, writer: StreamWriter<Response>) in
            let principal = try await authorizer.authorize(context, scope: scope)
            try await body(request, principal, context, writer)
        }
    }
}
