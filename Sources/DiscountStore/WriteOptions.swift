import DiscountCore

/// How a store write is to be done, whatever the backend: the caller's
/// deadline (a write still queued then is not started), and for a call sent
/// with an idempotency-key the record of its answer, saved in the write's own
/// transaction so that the write and its record commit together or not at all.
public struct WriteOptions<Result: Sendable>: Sendable {
    public var deadline: WriteDeadline
    public var idempotency: IdempotencyClaim<Result>?

    public init(deadline: WriteDeadline = .never, idempotency: IdempotencyClaim<Result>? = nil) {
        self.deadline = deadline
        self.idempotency = idempotency
    }

    /// No deadline, no key: internal writes (workers, tools).
    public static var plain: WriteOptions { WriteOptions() }
}

/// A write's idempotency key, and how to make the answer a retry replays
/// from what the write did.
///
/// Inside the write's transaction the backend first looks for a live record
/// under the key: if there is one (another daemon, or a crash's retry, got
/// there first), nothing is written and the write fails with
/// `StoreError.replay(record)`. Otherwise it does the write, then saves
/// `answer(result)` as the record. When `answer` gives nil (the write was
/// refused, say), no record is kept and a retry runs afresh.
public struct IdempotencyClaim<Result: Sendable>: Sendable {
    public var projectID: String
    public var key: String
    public var method: String
    public var requestHash: String
    public var createdAt: Instant
    public var answer: @Sendable (Result) -> [UInt8]?

    public init(
        projectID: String, key: String, method: String, requestHash: String, createdAt: Instant,
        answer: @escaping @Sendable (Result) -> [UInt8]?
    ) {
        self.projectID = projectID
        self.key = key
        self.method = method
        self.requestHash = requestHash
        self.createdAt = createdAt
        self.answer = answer
    }

    /// The record to save for `result`, or nil.
    public func record(for result: Result) -> IdempotencyRecord? {
        answer(result).map {
            IdempotencyRecord(
                projectID: projectID, key: key, method: method, requestHash: requestHash, response: $0, createdAt: createdAt)
        }
    }
}
