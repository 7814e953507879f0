import DiscountStore
import ProtoCodec
import TTRPC

/// Registers discountd methods. Every method runs one pipeline, whatever the
/// backend, in this order (the deadline is the transport's: TTRPC answers
/// DEADLINE_EXCEEDED on time, and handlers pass it to the store):
///
/// 1. auth — the token or peer, and the method's scope;
/// 2. decode — the request message;
/// 3. idempotency — writes with an `idempotency-key` replay a live answer,
///    or take the key into their write's transaction (`ServiceCall.write`);
/// 4. handler — the service's code over its book and the store;
/// 5. encode — the response; errors become statuses in TTRPC's error mapper.
///
/// Reads that can answer from memory also get a fast path, tried first on
/// the connection's event loop (steps 1, 2 and 4 without a task).
struct MethodRegistrar {
    var router: Router
    let authorizer: Authorizer
    let idempotency: IdempotencyGuard
    let shutdown: ShutdownSignal

    /// A read. `fromMemory` answers on the event loop when it can (nil: it
    /// can't); `placement` is where the body runs (a read that may scan pages
    /// stays on the global pool).
    mutating func read<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope?,
        fromMemory: (@Sendable (Request, Principal) throws -> Response?)? = nil,
        placement: MethodHandler.Placement = .globalPool,
        _ body: @escaping @Sendable (Request, Principal, CallContext) async throws -> Response
    ) {
        let authorizer = self.authorizer
        var fastPath: (@Sendable ([UInt8], CallContext) throws -> MethodHandler.FastPathOutcome)? = nil
        if let fromMemory {
            fastPath = { payload, context in
                // Without the token in memory, the full path asks the store.
                guard let principal = try authorizer.authorizeFromMemory(context, scope: scope) else { return .runBody }
                let request = try Request(protobufBytes: payload)
                if let answer = try fromMemory(request, principal) { return .answered(answer.encoded()) }
                // A miss goes on with the caller and request it has.
                return .continueWith { try await body(request, principal, context).encoded() }
            }
        }
        router.register(
            method,
            .unary(
                { payload, context in
                    let (principal, request): (Principal, Request) = try await Self.admit(payload, context, scope, authorizer)
                    return try await body(request, principal, context).encoded()
                }, fastPath: fastPath, placement: placement))
    }

    /// A write: acknowledged after commit. `replayed` makes what a retry with
    /// the same key gets (and the store keeps): by default the answer itself;
    /// a secret must be left out. Its body runs on the event loop: a point
    /// read or two and one store write, so the loop is held only briefly.
    mutating func write<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope?,
        replayed: (@Sendable (Response) -> Response)? = nil,
        _ body: @escaping @Sendable (Request, ServiceCall) async throws -> Response
    ) {
        let authorizer = self.authorizer
        let idempotency = self.idempotency
        let kept: @Sendable ([UInt8]) -> [UInt8] = { answer in
            guard let replayed, let response = try? Response(protobufBytes: answer) else { return answer }
            return replayed(response).encoded()
        }
        router.register(
            method,
            .unary(
                { payload, context in
                    let (principal, request): (Principal, Request) = try await Self.admit(payload, context, scope, authorizer)
                    return try await idempotency.run(
                        projectID: principal.projectID, context: context, payload: payload, kept: kept
                    ) { key in
                        let response = try await body(request, ServiceCall(principal: principal, context: context, key: key))
                        FaultInjection.afterCommit(service: context.service, method: context.method)
                        return response.encoded()
                    }
                }, placement: .eventLoop))
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
        router.register(
            method,
            .serverStreaming { payload, context, sink in
                let (principal, request): (Principal, Request) = try await Self.admit(payload, context, scope, authorizer)
                let writer = StreamWriter<Response>(sink: sink)
                let final = try await idempotency.runBulk(
                    projectID: principal.projectID, context: context, payload: payload, shutdown: shutdown
                ) { run in
                    try await body(request, principal, run, writer).encoded()
                }
                try await writer.send(try Response(protobufBytes: final))
            })
    }

    /// Steps 1 and 2: the caller, allowed the method's scope, then its request.
    private static func admit<Request: ProtoMessage>(
        _ payload: [UInt8], _ context: CallContext, _ scope: Scope?, _ authorizer: Authorizer
    ) async throws -> (Principal, Request) {
        let principal = try await authorizer.authorize(context, scope: scope)
        return (principal, try Request(protobufBytes: payload))
    }

    /// A server-streaming read: authorized before its request is decoded, as
    /// every other method is.
    mutating func stream<Request: ProtoMessage, Response: ProtoMessage>(
        _ method: ProtoMethod<Request, Response>, scope: Scope?,
        _ body: @escaping @Sendable (Request, Principal, CallContext, StreamWriter<Response>) async throws -> Void
    ) {
        let authorizer = self.authorizer
        router.register(
            method,
            .serverStreaming { payload, context, sink in
                let (principal, request): (Principal, Request) = try await Self.admit(payload, context, scope, authorizer)
                try await body(request, principal, context, StreamWriter(sink: sink))
            })
    }
}
