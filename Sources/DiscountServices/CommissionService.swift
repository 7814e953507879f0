import DiscountCore
import DiscountProto
import DiscountStore
import ProtoCodec
import TTRPC

/// `discountd.v1.Commission`: the thin edge between the wire and `CommissionBook`.
struct CommissionService: Sendable {
    let book: CommissionBook
    let store: any CommissionStore

    func register(in registrar: inout MethodRegistrar) {
        registrar.write(CommissionRPC.registerAgent, scope: .writeCampaigns) { (request: RegisterAgentRequest, call) in
            let agentName = try Validate.nonEmpty(request.agentName, field: "agent_name")
            let contact = try request.contact.map { try Validate.nonEmpty($0, field: "contact") }
            let respond: @Sendable ((Agent, created: Bool)) -> RegisterAgentResponse = { registered in
                RegisterAgentResponse(
                    agentId: registered.0.id, agentName: registered.0.name, registeredAt: registered.0.registeredAt.timestamp,
                    created: registered.created)
            }
            return respond(
                try await book.registerAgent(
                    projectID: call.projectID, name: agentName, contact: contact, options: call.write(answering: respond)))
        }
        registrar.read(CommissionRPC.getActiveCampaigns, scope: .commission) { (_: GetActiveCampaignsRequest, principal, _) in
            let now = Instant.now()
            return GetActiveCampaignsResponse(
                campaigns: try await book.activeCampaigns(projectID: principal.projectID).map { CampaignMessage($0, now: now) })
        }
        // Get-or-create is idempotent by nature, so it needs no idempotency key;
        // a synced code is answered from memory.
        registrar.read(
            CommissionRPC.getMyDiscountCode, scope: .commission,
            fromMemory: { [book] (request: GetMyDiscountCodeRequest, principal) -> GetMyDiscountCodeResponse? in
                guard let campaignID = request.campaignId,
                    let hit = book.cachedCode(projectID: principal.projectID, agentID: request.agentId, campaignID: campaignID)
                else { return nil }
                return GetMyDiscountCodeResponse(discountCodes: [AgentDiscountCode(hit.0, campaign: hit.1, now: .now())])
            },
            // A first call is point reads and one write, as a write's.
            placement: .eventLoop
        ) { (request: GetMyDiscountCodeRequest, principal, context) in
            // Get-or-create: the first call writes, under the call's deadline.
            let codes = try await book.codes(
                projectID: principal.projectID, agentID: request.agentId, campaignID: request.campaignId,
                deadline: WriteDeadline(uptimeNanoseconds: context.deadline.uptimeNanoseconds))
            let now = Instant.now()
            return GetMyDiscountCodeResponse(
                discountCodes: codes.map { AgentDiscountCode($0.0, campaign: $0.1, now: now) },
                message: codes.isEmpty ? CommissionBook.noCampaignsMessage : nil)
        }
        registerCampaigns(in: &registrar)
        registerOrders(in: &registrar)
    }

    private func registerCampaigns(in registrar: inout MethodRegistrar) {
        registrar.write(CommissionRPC.createCampaign, scope: .writeCampaigns) { (request: CreateCampaignRequest, call) in
            let now = Instant.now()
            let campaign = CampaignRecord(
                id: 0, projectID: call.projectID, name: try Validate.nonEmpty(request.name, field: "name"),
                discountPercent: try Self.percent(request.discountPercent, field: "discount_percent"),
                commissionPercent: try Self.percent(request.commissionPercent, field: "commission_percent"),
                startsAt: try request.startsAt.instant(field: "starts_at") ?? now,
                endsAt: try request.endsAt.instant(field: "ends_at"),
                createdAt: now, updatedAt: now)
            try Self.checkWindow(campaign)
            let respond: @Sendable (CampaignRecord) -> CreateCampaignResponse = {
                CreateCampaignResponse(campaign: CampaignMessage($0, now: .now()))
            }
            return respond(try await book.createCampaign(campaign, options: call.write(answering: respond)))
        }
        registrar.write(CommissionRPC.updateCampaign, scope: .writeCampaigns) { (request: UpdateCampaignRequest, call) in
            if request.clearEndsAt && request.endsAt != nil {
                throw ServiceError.invalidArgument(field: "clear_ends_at", "clear_ends_at and ends_at exclude each other")
            }
            let changed = try await book.changedCampaign(projectID: call.projectID, id: request.campaignId) { campaign in
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
            let respond: @Sendable (Bool) throws -> UpdateCampaignResponse = { updated in
                guard updated else { throw ServiceError.campaignNotFound(changed.id) }
                return UpdateCampaignResponse(campaign: CampaignMessage(changed, now: .now()))
            }
            _ = try await book.updateCampaign(changed, options: call.write(answering: respond))
            return try respond(true)
        }
        registrar.write(CommissionRPC.endCampaign, scope: .writeCampaigns) { (request: EndCampaignRequest, call) in
            let endsAt = try request.endsAt.instant(field: "ends_at") ?? .now()
            let changed = try await book.changedCampaign(projectID: call.projectID, id: request.campaignId) { campaign in
                campaign.endsAt = endsAt
                // Ending a campaign that has not started yet ends it before it begins.
                if campaign.startsAt > endsAt { campaign.startsAt = endsAt }
            }
            let respond: @Sendable (Bool) throws -> EndCampaignResponse = { updated in
                guard updated else { throw ServiceError.campaignNotFound(changed.id) }
                return EndCampaignResponse(campaign: CampaignMessage(changed, now: .now()))
            }
            _ = try await book.updateCampaign(changed, options: call.write(answering: respond))
            return try respond(true)
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
        registrar.write(CommissionRPC.recordOrder, scope: .writeCampaigns) { (request: RecordOrderRequest, call) in
            let orderID = try Validate.nonEmpty(request.orderId, field: "order_id")
            guard let state = OrderState(request.status) else {
                throw ServiceError.invalidArgument(field: "status", "status must be pending, paid, cancelled or refunded")
            }
            guard (0...OrderAttribution.maxSubtotal).contains(request.subtotal) else {
                throw ServiceError.invalidArgument(
                    field: "subtotal", "subtotal must be between 0 and \(OrderAttribution.maxSubtotal) minor units")
            }
            let now = Instant.now()
            let input = OrderInput(
                projectID: call.projectID, orderID: orderID, codes: request.codes, subtotal: request.subtotal,
                currency: try Validate.currency(request.currency),
                occurredAt: try request.occurredAt.instant(field: "occurred_at") ?? now, state: state, at: now)
            let respond: @Sendable ((OrderAttribution, created: Bool)) -> RecordOrderResponse = { recorded in
                let order = recorded.0
                return RecordOrderResponse(
                    orderId: order.orderID, attributed: order.agentID != nil, agentId: order.agentID,
                    campaignId: order.campaignID, matchedCode: order.matchedCode, commission: order.commission,
                    currency: order.currency, status: order.state.wire, created: recorded.created)
            }
            return respond(try await store.recordOrder(input, options: call.write(answering: respond)))
        }
        registrar.read(CommissionRPC.getMyCommissions, scope: .commission) { (request: GetMyCommissionsRequest, principal, _) in
            _ = try await book.agent(projectID: principal.projectID, id: request.agentId)
            let figures = try await store.commissions(
                projectID: principal.projectID, agentID: request.agentId, since: try request.since.instant(field: "since"),
                until: try request.until.instant(field: "until"))
            var totals: [String: CommissionTotal] = [:]
            for figure in figures {
                var total = totals[figure.currency] ?? CommissionTotal(currency: figure.currency)
                // Saturating: totals of many orders of the largest subtotal must not trap.
                total.orders = total.orders.addingSaturating(figure.orders)
                total.sales = total.sales.addingSaturating(figure.sales)
                total.commission = total.commission.addingSaturating(figure.commission)
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

extension Int64 {
    /// `self + other`, held at `.max` or `.min` instead of overflowing.
    func addingSaturating(_ other: Int64) -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        guard overflow else { return sum }
        return other > 0 ? .max : .min
    }
}
