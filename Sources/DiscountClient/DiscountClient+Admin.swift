extension DiscountClient {
    /// Admin.ServerInfo: version, uptime, backend and socket of the daemon.
    public func serverInfo() async throws -> ServerInfoResponse {
        try await call("discountd.v1.Admin", "ServerInfo", ServerInfoRequest())
    }
}
