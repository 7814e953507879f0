/// `discountd.v1.Admin`. Every method but `serverInfo` needs the `admin` scope.
extension DiscountClient {

    /// Admin.ServerInfo: version, uptime, backend, socket and change feed of the daemon.
    public func serverInfo() async throws -> ServerInfoResponse {
        try await call(AdminRPC.serverInfo, ServerInfoRequest())
    }

    /// Per-method call counts and latency quantiles, cache and sync figures.
    public func stats() async throws -> StatsResponse {
        try await call(AdminRPC.stats, StatsRequest())
    }

    /// Admin.Backup: a consistent copy of the store, taken while it serves, to
    /// `path` on the daemon's host (absolute, must not exist); start a daemon
    /// with that file as `discountd.sqlite` in its data folder to restore.
    /// Big stores take a while: give the client a long enough `timeout`.
    public func backup(path: String) async throws -> BackupResponse {
        try await call(AdminRPC.backup, BackupRequest(path: path))
    }

    /// Creates a new, empty project.
    public func createProject(
        _ request: CreateProjectRequest, idempotencyKey: String? = nil
    ) async throws -> CreateProjectResponse {
        try await call(AdminRPC.createProject, request, idempotencyKey: idempotencyKey)
    }

    /// Creates a project named `name`.
    public func createProject(name: String, idempotencyKey: String? = nil) async throws -> CreateProjectResponse {
        try await createProject(CreateProjectRequest(name: name), idempotencyKey: idempotencyKey)
    }

    /// Creates a bearer token for one project with the given scopes. The
    /// secret (`token`) is in this response only.
    public func createToken(
        _ request: CreateTokenRequest, idempotencyKey: String? = nil
    ) async throws -> CreateTokenResponse {
        try await call(AdminRPC.createToken, request, idempotencyKey: idempotencyKey)
    }

    /// Creates a token for `projectID` with `scopes` (e.g. `read_price_rules`).
    public func createToken(
        projectID: String, scopes: [String], name: String = "", idempotencyKey: String? = nil
    ) async throws -> CreateTokenResponse {
        try await createToken(
            CreateTokenRequest(projectId: projectID, scopes: scopes, name: name), idempotencyKey: idempotencyKey)
    }

    /// Revokes a token at once; idempotent.
    public func revokeToken(
        _ request: RevokeTokenRequest, idempotencyKey: String? = nil
    ) async throws -> RevokeTokenResponse {
        try await call(AdminRPC.revokeToken, request, idempotencyKey: idempotencyKey)
    }

    /// Revokes the token with id `tokenID`.
    public func revokeToken(id tokenID: String, idempotencyKey: String? = nil) async throws -> RevokeTokenResponse {
        try await revokeToken(RevokeTokenRequest(tokenId: tokenID), idempotencyKey: idempotencyKey)
    }
}
