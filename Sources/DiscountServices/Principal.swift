/// Who a call acts for: one project and what it may do there.
public struct Principal: Sendable, Equatable {
    public static let defaultProjectID = "default"

    public var projectID: String
    public var scopes: Set<Scope>

    public init(projectID: String, scopes: Set<Scope>) {
        self.projectID = projectID
        self.scopes = scopes
    }

    /// A same-uid peer when auth is not required: the default project, every scope.
    public static let localOwner = Principal(projectID: defaultProjectID, scopes: Set(Scope.allCases))

    /// The daemon's operator: an `admin` of the default project, who may reach
    /// every project (the local owner without --require-auth is one).
    public var isOperator: Bool { projectID == Self.defaultProjectID && scopes.contains(.admin) }

    public func require(_ scope: Scope) throws(ServiceError) {
        guard scopes.contains(scope) else { throw .scopeMissing(scope) }
    }
}
