extension ServiceError {
    /// Word for word the seed's.
    static let agentNotRegistered = ServiceError(
        .notFound, reason: "AGENT_NOT_REGISTERED", "Agent not registered. Call register_agent first.",
        hint: "Use register_agent to get an agent_id.", field: "agent_id")

    /// The seed's `Campaign 99 not found.`, with the campaign's id.
    static func campaignNotFound(_ id: Int64) -> ServiceError {
        ServiceError(.notFound, reason: "CAMPAIGN_NOT_FOUND", "Campaign \(id) not found.", field: "campaign_id")
    }

    /// A campaign that has ended or not started: existing codes are still
    /// shown, but none is made for it.
    static func campaignNotActive(_ id: Int64) -> ServiceError {
        ServiceError(
            .failedPrecondition, reason: "CAMPAIGN_NOT_ACTIVE", "Campaign \(id) is not active.",
            hint: "Codes are made only while a campaign runs; call get_active_campaigns for the running ones.",
            field: "campaign_id")
    }
}
