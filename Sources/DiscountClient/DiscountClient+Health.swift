extension DiscountClient {
    /// Health.Check: whether the daemon is serving.
    public func health() async throws -> HealthCheckResponse {
        try await call(HealthRPC.check, HealthCheckRequest())
    }
}
