/// A tenant: it owns every price rule, code, campaign and pool below it.
public struct Project: Sendable, Hashable, Codable {
    /// The project that same-user calls act on when no token is sent.
    public static let defaultID = "default"

    public var id: String
    public var name: String
    public var createdAt: Instant

    public init(id: String, name: String, createdAt: Instant) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}
