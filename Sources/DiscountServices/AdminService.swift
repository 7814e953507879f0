import DiscountCore
import DiscountProto
import DiscountStore
import Foundation
import ProtoCodec
import SystemRandom
import TTRPC

/// `discountd.v1.Admin`: server facts, stats, projects and tokens.
///
/// An `admin` token of the default project administers the daemon (any
/// project); an `admin` token of another project only manages that project's tokens.
struct AdminService: Sendable {
    let facts: ServerFacts
    let store: any Store
    let tokens: TokenAuthority
    let stats: StatsCollector

    func register(in registrar: inout MethodRegistrar) {
        registrar.read(AdminRPC.serverInfo, scope: nil) { (_: ServerInfoRequest, _, _) in
            serverInfo()
        }
        // Stats are the whole daemon's (every project's methods and caches):
        // for the operator only, not any project's admin.
        registrar.read(AdminRPC.stats, scope: .admin) { (_: StatsRequest, principal, _) in
            try Self.requireDaemonAdmin(principal)
            let figures = try await stats.collect()
            let methods = figures.methods.map { method in
                MethodStats(
                    service: method.service, method: method.method, count: method.count, errors: method.errors,
                    p50Ms: Double(method.p50Nanos) / 1e6, p90Ms: Double(method.p90Nanos) / 1e6,
                    p99Ms: Double(method.p99Nanos) / 1e6, maxMs: Double(method.maxNanos) / 1e6)
            }
            return StatsResponse(
                methods: methods, cacheHitRatio: figures.cacheHitRatio, cacheHits: figures.cacheHits,
                cacheMisses: figures.cacheMisses, syncQueueDepth: figures.syncQueueDepth,
                connections: Int64(figures.connections), collectedAt: Instant.now().timestamp,
                changeFeed: ChangeFeedStatus(figures.changeFeed))
        }
        registrar.write(AdminRPC.createProject, scope: .admin) { (request: CreateProjectRequest, call) in
            try Self.requireDaemonAdmin(call.principal)
            let name = try Validate.nonEmpty(request.name, field: "name")
            let project = ProjectRecord(id: TimeOrderedID.make(), name: name, createdAt: .now())
            let respond: @Sendable (()) -> CreateProjectResponse = { _ in CreateProjectResponse(project: ProjectMessage(project))
            }
            do {
                try await store.insertProject(project, options: call.write(answering: respond))
            } catch StoreError.conflict {
                throw ServiceError(.alreadyExists, reason: "PROJECT_EXISTS", "Project \(name) already exists.", field: "name")
            }
            return respond(())
        }
        // The secret is shown once: a retry with the same idempotency-key gets
        // the token's id, scopes and times, but an empty `token`.
        registrar.write(
            AdminRPC.createToken, scope: .admin,
            replayed: { (answer: CreateTokenResponse) in
                var withheld = answer
                withheld.token = ""
                return withheld
            }
        ) { (request: CreateTokenRequest, call) in
            let projectID = request.projectId.isEmpty ? call.projectID : request.projectId
            try Self.requireReach(call.principal, projectID: projectID)
            guard try await store.project(id: projectID) != nil else { throw ServiceError.projectNotFound(projectID) }
            guard !request.scopes.isEmpty else {
                throw ServiceError.invalidArgument(field: "scopes", "scopes must name at least one of \(Self.scopeNames)")
            }
            for scope in request.scopes where Scope(rawValue: scope) == nil {
                throw ServiceError.invalidArgument(field: "scopes", "unknown scope \(scope); known: \(Self.scopeNames)")
            }
            let expiresAt = try request.expiresAt.instant(field: "expires_at")
            if let expiresAt, expiresAt <= .now() {
                throw ServiceError.invalidArgument(field: "expires_at", "expires_at must be in the future")
            }
            let (secret, record) = tokens.newToken(
                projectID: projectID, name: request.name, scopes: request.scopes, expiresAt: expiresAt)
            let respond: @Sendable (()) -> CreateTokenResponse = { _ in
                CreateTokenResponse(
                    tokenId: record.id, token: secret, projectId: projectID, scopes: record.scopes, name: record.name,
                    createdAt: record.createdAt.timestamp, expiresAt: record.expiresAt?.timestamp)
            }
            try await store.insertToken(record, options: call.write(answering: respond))
            return respond(())
        }
        registrar.write(AdminRPC.revokeToken, scope: .admin) { (request: RevokeTokenRequest, call) in
            let id = try Validate.nonEmpty(request.tokenId, field: "token_id")
            let notFound = ServiceError(.notFound, reason: "TOKEN_NOT_FOUND", "Token \(id) not found.", field: "token_id")
            guard let token = try await tokens.token(id: id) else { throw notFound }
            do { try Self.requireReach(call.principal, projectID: token.projectID) } catch { throw notFound }
            let respond: @Sendable (TokenRecord?) -> RevokeTokenResponse = { _ in
                RevokeTokenResponse(tokenId: id, revoked: token.revokedAt == nil)
            }
            _ = try await tokens.revoke(id: id, options: call.write(answering: respond))
            return respond(token)
        }
    }

    static var scopeNames: String { Scope.allCases.map(\.rawValue).joined(separator: ", ") }

    static func requireDaemonAdmin(_ principal: Principal) throws {
        guard principal.projectID == Project.defaultID else {
            throw ServiceError(
                .permissionDenied, reason: "SCOPE_MISSING", "only an admin of the default project may do this",
                hint: "Use a token with the admin scope of the default project.")
        }
    }

    /// A token reaches its own project only; the daemon admin reaches all.
    static func requireReach(_ principal: Principal, projectID: String) throws {
        guard principal.projectID == projectID || principal.projectID == Project.defaultID else {
            throw ServiceError.projectNotFound(projectID)
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
            startedAt: ProtoTimestamp(seconds: facts.startedAtUnix.seconds, nanos: facts.startedAtUnix.nanos),
            changeFeed: ChangeFeedStatus(stats.changeFeed()))
    }
}
