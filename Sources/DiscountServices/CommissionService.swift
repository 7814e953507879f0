import DiscountCore
import DiscountProto
import DiscountStore
import TTRPC

/// `discountd.v1.Commission`: the thin edge between the wire and `CommissionBook`.
struct CommissionService: Sendable {
    let book: CommissionBook
    let store: any CommissionStore

    func register(in registrar: inout MethodRegistrar) {
        registrar.write(CommissionRPC.registerAgent, scope: .writeCampaigns) { (request: RegisterAgentRequest, principal, _) in
            let agentName = try Validate.nonEmpty(request.agentName, field: "agent_name")
            let contact = try request.contact.map { try Validate.nonEmpty($0, field: "contact") }
            let (agent, created) = try await book.registerAgent(projectID: principal.projectID, name: agentName, contact: contact)
            return RegisterAgentResponse(
                agentId: agent.id, agentName: agent.name, registeredAt: agent.registeredAt.timestamp, created: created)
        }
        registrar.read(CommissionRPC.getActiveCampaigns, scope: .commission) { (_: GetActiveCampaignsRequest, principal, _) in
            let now = Instant.now()
            return GetActiveCampaignsResponse(
                campaigns: try await book.activeCampaigns(projectID: principal.projectID).map { CampaignMessage($0, now: now) })
        }
        // Get-or-create is idempotent by nature, so it needs no idempotency key;
        // a synced code is answered from memory.
        registrar.getOrCreate(CommissionRPC.getMyDiscountCode, scope: .commission,
            fromMemory: { [book] (request: GetMyDiscountCodeRequest, principal) -> GetMyDiscountCodeResponse? in
                guard let campaignID = request.campaignId,
                    let hit = book.cachedCode(projectID: principal.projectID, agentID: request.agentId, campaignID: campaignID)
                else { return nil }
                return GetMyDiscountCodeResponse(discountCodes: [AgentDiscountCode(hit.0, campaign: hit.1, now: .now())])
            },
            handOff: { [book] (request: GetMyDiscountCodeRequest, principal, reply) in
                guard let campaignID = request.campaignId else { return false }
                return book.startCreatingCode(
                    projectID: principal.projectID, agentID: request.agentId, campaignID: campaignID, reply: reply
                ) { code, campaign in
                    GetMyDiscountCodeResponse(discountCodes: [AgentDiscountCode(code, campaign: campaign, now: .now())])
                }
            }
        ) { (request: GetMyDiscountCodeRequest, principal, _) in
            let codes = try await book.codes(
                projectID: principal.projectID, agentID: request.agentId, campaignID: request.campaignId)
            let now = Instant.now()
            return GetMyDiscountCodeResponse(
                discountCodes: codes.map { AgentDiscountCode($0.0, campaign: $0.1, now: now) },
                message: codes.isEmpty ? CommissionBook.noCampaignsMessage : nil)
        }
        registerCampaigns(in: &registrar)
        registerOrders(in: &registrar)
    }

    private func registerCampaigns(in registrar: inout MethodRegistrar) {
        registrar.write(CommissionRPC.createCampaign, scope: .writeCampaigns) { (request: CreateCampaignRequest, principal, _) in
            let now = Instant.now()
            var campaign = CampaignRecord(
                id: 0, projectID: principal.projectID, name: try Validate.nonEmpty(request.name, field: "name"),
                discountPercent: try Self.percent(request.discountPercent, field: "discount_percent"),
                commissionPercent: try Self.percent(request.commissionPercent, field: "commission_percent"),
                startsAt: try request.startsAt.instant(field: "starts_at") ?? now,
                endsAt: try request.endsAt.instant(field: "ends_at"),
                createdAt: now, updatedAt: now)
            try Self.checkWindow(campaign)
            campaign = try await book.createCampaign(campaign)
            return CreateCampaignResponse(campaign: CampaignMessage(campaign, now: .now()))
        }
        registrar.write(CommissionRPC.updateCampaign, scope: .writeCampaigns) { (request: UpdateCampaignRequest, principal, _) in
            if request.clearEndsAt && request.endsAt != nil {
                throw ServiceError.invalidArgument(field: "clear_ends_at", "clear_ends_at and ends_at exclude each other")
            }
            let campaign = try await book.updateCampaign(projectID: principal.projectID, id: request.campaignId) { campaign in
                if let name = request.name { campaign.name = try Validate.nonEmpty(name, field: "name") }
                if let value = request.discountPercent {
                    campaign.discountPercent = try Self.percent(value, field: "discount_percent")
                }
                if let value = request.commissionPercent {
                    campaign.commissionPercent = try Self.percent(value, field: "commission_percent")
                }
                if let startsAt = request.startsAt { campaign.startsAt = try Instant(startsAt, field: "starts_at") }
                if let endsAt = request.endsAt { campaign.endsAt = try Instant(endsAt, field: "ends_at") }
                if request.clearEndsAt { campaign.endsAt = nil }
                try Self.checkWindow(campaign)
            }
            return UpdateCampaignResponse(campaign: CampaignMessage(campaign, now: .now()))
        }
        registrar.write(CommissionRPC.endCampaign, scope: .writeCampaigns) { (request: EndCampaignRequest, principal, _) in
            let endsAt = try request.endsAt.instant(field: "ends_at") ?? .now()
            let campaign = try await book.updateCampaign(projectID: principal.projectID, id: request.campaignId) { campaign in
                campaign.endsAt = endsAt
                // Ending a campaign that has not started yet ends it before it begins.
                if campaign.startsAt > endsAt { campaign.startsAt = endsAt }
            }
            return EndCampaignResponse(campaign: CampaignMessage(campaign, now: .now()))
        }
        registrar.read(CommissionRPC.listCampaigns, scope: .readCampaigns) { (request: ListCampaignsRequest, principal, _) in
            let limit = try Validate.pageSize(request.pageSize)
            var after: Int64? = nil
            if !request.pageToken.isEmpty {
                guard let token = Int64(request.pageToken) else {
                    throw ServiceError.invalidArgument(field: "page_token", "page_token is not one this daemon gave")
                }
                after = token
            }
            let campaigns = try await book.campaigns(
                projectID: principal.projectID, includeEnded: request.includeEnded, after: after, limit: limit)
            let now = Instant.now()
            return ListCampaignsResponse(
                campaigns: campaigns.map { CampaignMessage($0, now: now) },
                nextPageToken: campaigns.count == limit ? String(campaigns.last!.id) : "")
        }
    }

    private func registerOrders(in registrar: inout MethodRegistrar) {
        let store = self.store
        registrar.write(CommissionRPC.recordOrder, scope: .writeCampaigns) { (request: RecordOrderRequest, principal, _) in
            let orderID = try Validate.nonEmpty(request.orderId, field: "order_id")
            guard let state = OrderState(request.status) else {
                throw ServiceError.invalidArgument(field: "status", "status must be pending, paid, cancelled or refunded")
            }
            guard (0...OrderAttribution.maxSubtotal).contains(request.subtotal) else {
                throw ServiceError.invalidArgument(
                    field: "subtotal", "subtotal must be between 0 and \(OrderAttribution.maxSubtotal) minor units")
            }
            let now = Instant.now()
            let (order, created) = try await store.recordOrder(OrderInput(
                projectID: principal.projectID, orderID: orderID, codes: request.codes, subtotal: request.subtotal,
                currency: try Validate.currency(request.currency), occurredAt: try request.occurredAt.instant(field: "occurred_at") ?? now,
                state: state, at: now))
            return RecordOrderResponse(
                orderId: order.orderID, attributed: order.agentID != nil, agentId: order.agentID, campaignId: order.campaignID,
                matchedCode: order.matchedCode, commission: order.commission, currency: order.currency,
                status: order.state.wire, created: created)
        }
        registrar.read(CommissionRPC.getMyCommissions, scope: .commission) { (request: GetMyCommissionsRequest, principal, _) in
            _ = try await book.agent(projectID: principal.projectID, id: request.agentId)
            let figures = try await store.commissions(
                projectID: principal.projectID, agentID: request.agentId, since: try request.since.instant(field: "since"),
                until: try request.until.instant(field: "until"))
            var totals: [String: CommissionTotal] = [:]
            for figure in figures {
                var total = totals[figure.currency] ?? CommissionTotal(currency: figure.currency)
                total.orders += figure.orders
                total.sales += figure.sales
                total.commission += figure.commission
                totals[figure.currency] = total
            }
            return GetMyCommissionsResponse(
                agentId: request.agentId,
                campaigns: figures.map {
                    CampaignCommission(
                        campaignId: $0.campaignID, campaignName: $0.campaignName, currency: $0.currency, orders: $0.orders,
                        sales: $0.sales, commission: $0.commission)
                },
                totals: totals.keys.sorted().map { totals[$0]! })
        }
    }

    static func percent(_ value: Double, field: String) throws -> Double {
        guard value.isFinite, (0...100).contains(value) else {
            throw ServiceError.invalidArgument(field: field, "\(field) must be between 0 and 100")
        }
        return value
    }

    static func checkWindow(_ campaign: CampaignRecord) throws {
        if let endsAt = campaign.endsAt, endsAt <= campaign.startsAt {
            throw ServiceError.invalidArgument(field: "ends_at", "ends_at must be after starts_at")
        }
    }
}
