import ProtoCodec
import TTRPC

/// `discountd.v1.Admin`. ServerInfo so far; projects, tokens, stats and backups
/// arrive with the store.
public struct AdminService: Sendable {
    public static let name = "discountd.v1.Admin"

    let facts: ServerFacts
    let authorizer: Authorizer

    public init(facts: ServerFacts, authorizer: Authorizer) {
        self.facts = facts
        self.authorizer = authorizer
    }

    public func register(in router: inout Router) {
        router.unary(Self.name, "ServerInfo") { [self] (_: ServerInfoRequest, context) in
            _ = try await authorizer.authorize(context)
            return serverInfo()
        }
    }

    func serverInfo() -> ServerInfoResponse {
        let uptime = ContinuousClock.now - facts.startedAt
        let (seconds, attoseconds) = uptime.components
        return ServerInfoResponse(
            version: facts.version,
            uptimeSeconds: Double(seconds) + Double(attoseconds) / 1e18,
            backend: facts.backend,
            socket: facts.socketPath,
            startedAt: ProtoTimestamp(seconds: facts.startedAtUnix.seconds, nanos: facts.startedAtUnix.nanos))
    }
}
