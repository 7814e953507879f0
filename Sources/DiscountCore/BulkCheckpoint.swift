/// How far a bulk operation sent with an `idempotency-key` has got: saved in
/// the same transaction as each chunk it stores, so a retry with the key can
/// go on from exactly there, and never adds a second batch.
public struct BulkCheckpoint: Sendable, Hashable {
    public var projectID: String
    public var key: String
    /// `service/method`, as in `IdempotencyRecord`.
    public var method: String
    /// SHA-256 (hex) of the request payload.
    public var requestHash: String
    /// Inputs handled so far: listed codes looked at, or generated codes stored.
    public var processed: Int64
    /// The operation's tally so far, in the service's own encoding.
    public var tally: [UInt8]
    public var updatedAt: Instant

    public init(
        projectID: String, key: String, method: String, requestHash: String, processed: Int64, tally: [UInt8],
        updatedAt: Instant
    ) {
        self.projectID = projectID
        self.key = key
        self.method = method
        self.requestHash = requestHash
        self.processed = processed
        self.tally = tally
        self.updatedAt = updatedAt
    }
}
