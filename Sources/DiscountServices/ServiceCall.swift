import Crypto
import DiscountCore
import DiscountStore
import ProtoCodec
import TTRPC

/// One call as its handler sees it: who makes it, until when, and for a write
/// sent with an idempotency-key, how its answer is kept with the write.
struct ServiceCall: Sendable {
    let principal: Principal
    let context: CallContext
    /// Set for a write that carries an idempotency-key.
    let key: IdempotencyKeyUse?

    var projectID: String { principal.projectID }

    /// The caller's deadline, as the store takes it: a write still queued
    /// then is not started.
    var deadline: WriteDeadline { WriteDeadline(uptimeNanoseconds: context.deadline.uptimeNanoseconds) }

    /// Options for this call's write: its deadline, and under a key the
    /// record of the answer `respond` makes from what the write did, saved in
    /// the write's own transaction. A handler passes them to its one write.
    func write<Result: Sendable, Response: ProtoMessage>(
        answering respond: @escaping @Sendable (Result) throws -> Response
    ) -> WriteOptions<Result> {
        guard let key else { return WriteOptions(deadline: deadline) }
        key.attached.set()
        let kept = key.kept
        return WriteOptions(
            deadline: deadline,
            idempotency: IdempotencyClaim(
                projectID: key.projectID, key: key.key, method: key.method, requestHash: key.requestHash,
                createdAt: key.createdAt
            ) { result in
                // A refusal (respond throws) keeps nothing: a retry runs afresh.
                (try? respond(result)).map { kept($0.encoded()) }
            })
    }

    /// Options for a write whose answer is not this call's (a lookup's write,
    /// a worker's): the deadline only.
    func plainWrite<Result: Sendable>() -> WriteOptions<Result> {
        WriteOptions(deadline: deadline)
    }
}

/// A write's idempotency key, ready to be claimed in the write's transaction.
struct IdempotencyKeyUse: Sendable {
    let projectID: String
    let key: String
    /// `service/method`: a key is only ever reused for the same method.
    let method: String
    /// SHA-256 of the request payload: the same key with another request is refused.
    let requestHash: String
    let createdAt: Instant
    /// What of an answer is kept (a secret never is).
    let kept: @Sendable ([UInt8]) -> [UInt8]
    /// Whether the handler handed the claim to its write; if not, the answer
    /// is saved after the call (see `IdempotencyGuard`).
    let attached = OnceFlag()

    static func hash(_ payload: [UInt8]) -> String {
        SHA256.hash(data: payload).map { String($0, radix: 16) }.joined(separator: ":")
    }
}
