/// The first answer to a write sent with an `idempotency-key`, kept 24 hours.
public struct IdempotencyRecord: Sendable, Hashable {
    public static let retentionSeconds: Int64 = 24 * 60 * 60

    public var projectID: String
    public var key: String
    /// `service/method`: a key is only ever reused for the same method.
    public var method: String
    /// SHA-256 (hex) of the request payload: the same key with another request is refused.
    public var requestHash: String
    /// The encoded response payload sent the first time.
    public var response: [UInt8]
    public var createdAt: Instant

    public init(projectID: String, key: String, method: String, requestHash: String, response: [UInt8], createdAt: Instant) {
        self.projectID = projectID
        self.key = key
        self.method = method
        self.requestHash = requestHash
        self.response = response
        self.createdAt = createdAt
    }

    public func isLive(at now: Instant) -> Bool {
        now < createdAt.adding(seconds: Self.retentionSeconds)
    }
}
