/// An agent who earns commission on orders placed with their codes.
/// Names are unique per project: registering the same name again returns the same agent.
public struct Agent: Sendable, Hashable {
    public var id: Int64
    public var projectID: String
    public var name: String
    public var contact: String?
    public var registeredAt: Instant

    public init(id: Int64, projectID: String, name: String, contact: String?, registeredAt: Instant) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.contact = contact
        self.registeredAt = registeredAt
    }
}
