extension ServiceError {
    /// Word for word the seed's.
    static let agentNotRegistered = ServiceError(
        .notFound, reason: "AGENT_NOT_REGISTERED", "Agent not registered. Call register_agent first.",
        hint: "Use register_agent to get an agent_id.", field: "agent_id")

    /// The seed's `Campaign 99 not found.`, with the campaign's id.
    static func campaignNotFound(_ id: Int64) -> ServiceError {
        ServiceError(.notFound, reason: "CAMPAIGN_NOT_FOUND", "Campaign \(id) not found.", field: "campaign_id")
    }
}
