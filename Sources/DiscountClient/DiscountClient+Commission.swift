/// `discountd.v1.Commission`: agents, campaigns, agents' discount codes and
/// the commission they earn.
///
/// Agents call `getActiveCampaigns`, `getMyDiscountCode` and
/// `getMyCommissions` (scope `commission`); the shop side registers agents,
/// runs campaigns and records orders (`write_campaigns`; listing needs `read_campaigns`).
extension DiscountClient {

    /// Registers an agent; the same name in the same project returns the same agent (`created` false).
    public func registerAgent(
        _ request: RegisterAgentRequest, idempotencyKey: String? = nil
    ) async throws -> RegisterAgentResponse {
        try await call(CommissionRPC.registerAgent, request, idempotencyKey: idempotencyKey)
    }

    /// Registers an agent by name.
    public func registerAgent(name: String, contact: String? = nil) async throws -> RegisterAgentResponse {
        try await registerAgent(RegisterAgentRequest(agentName: name, contact: contact))
    }

    /// Campaigns running now.
    public func getActiveCampaigns() async throws -> GetActiveCampaignsResponse {
        try await call(CommissionRPC.getActiveCampaigns, GetActiveCampaignsRequest())
    }

    /// The agent's code for one campaign, or for every active campaign with a
    /// customer discount when `campaignID` is nil; created on first use. Never
    /// fails because Shopify did: see each code's `shopifySyncStatus`.
    /// NOT_FOUND `AGENT_NOT_REGISTERED` or `CAMPAIGN_NOT_FOUND` otherwise.
    public func getMyDiscountCode(agentID: Int64, campaignID: Int64? = nil) async throws -> GetMyDiscountCodeResponse {
        try await call(
            CommissionRPC.getMyDiscountCode, GetMyDiscountCodeRequest(agentId: agentID, campaignId: campaignID))
    }

    /// Creates a campaign (starts now unless told; open-ended unless told).
    public func createCampaign(
        _ request: CreateCampaignRequest, idempotencyKey: String? = nil
    ) async throws -> CreateCampaignResponse {
        try await call(CommissionRPC.createCampaign, request, idempotencyKey: idempotencyKey)
    }

    /// Changes the fields that are set in `request`.
    public func updateCampaign(
        _ request: UpdateCampaignRequest, idempotencyKey: String? = nil
    ) async throws -> UpdateCampaignResponse {
        try await call(CommissionRPC.updateCampaign, request, idempotencyKey: idempotencyKey)
    }

    /// Ends a campaign now, or at `request.endsAt`.
    public func endCampaign(_ request: EndCampaignRequest, idempotencyKey: String? = nil) async throws -> EndCampaignResponse {
        try await call(CommissionRPC.endCampaign, request, idempotencyKey: idempotencyKey)
    }

    /// A page of the project's campaigns in creation order.
    public func listCampaigns(_ request: ListCampaignsRequest = .init()) async throws -> ListCampaignsResponse {
        try await call(CommissionRPC.listCampaigns, request)
    }

    /// Attributes an order to the agent whose code it used; idempotent on order id.
    public func recordOrder(_ request: RecordOrderRequest, idempotencyKey: String? = nil) async throws -> RecordOrderResponse {
        try await call(CommissionRPC.recordOrder, request, idempotencyKey: idempotencyKey)
    }

    /// An agent's orders, sales and commission per campaign and in total.
    public func getMyCommissions(_ request: GetMyCommissionsRequest) async throws -> GetMyCommissionsResponse {
        try await call(CommissionRPC.getMyCommissions, request)
    }
}

extension DiscountClient {
    /// Admin.SetShopifyCredentials: the project's Shopify Admin API credentials
    /// (empty `projectId`: the token's project). Unsynced codes are sent again.
    public func setShopifyCredentials(
        _ request: SetShopifyCredentialsRequest, idempotencyKey: String? = nil
    ) async throws -> SetShopifyCredentialsResponse {
        try await call(AdminRPC.setShopifyCredentials, request, idempotencyKey: idempotencyKey)
    }
}
