/// An API token as stored: only the SHA-256 of its secret is kept.
public struct TokenRecord: Sendable, Hashable, Codable {
    public var id: String
    public var projectID: String
    public var name: String
    public var scopes: [String]
    /// Lower-case hex SHA-256 of the secret; the secret itself is shown once.
    public var secretHash: String
    public var createdAt: Instant
    public var expiresAt: Instant?
    public var revokedAt: Instant?

    public init(
        id: String, projectID: String, name: String, scopes: [String], secretHash: String,
        createdAt: Instant, expiresAt: Instant? = nil, revokedAt: Instant? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.scopes = scopes
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }

    public func isUsable(at now: Instant) -> Bool {
        revokedAt == nil && (expiresAt.map { now < $0 } ?? true)
    }
}
