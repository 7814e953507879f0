extension DiscountClient {
    /// Health.Check: whether the daemon is serving.
    public func health() async throws -> HealthCheckResponse {
        try await call("discountd.v1.Health", "Check", HealthCheckRequest())
    }
}
