import DiscountCore
import DiscountStore
import ProtoCodec
import ShopifySync

/// The Commission domain actor: agents, campaigns and agents' codes over the
/// store, with a write-through cache, and the hand-off of unsynced codes to
/// the Shopify syncer. Cached reads are `nonisolated` so the event loop can
/// answer them without a hop.
actor CommissionBook {
    static let noCampaignsMessage = "No active campaigns with customer discounts at this time."

    let store: any CommissionStore
    let syncer: ShopifySyncer?
    /// How long GetMyDiscountCode waits for a sync attempt before answering.
    let syncWait: Duration
    nonisolated let cache: CommissionCache

    init(store: any CommissionStore, syncer: ShopifySyncer?, syncWait: Duration, cacheCapacity: Int) {
        self.store = store
        self.syncer = syncer
        self.syncWait = syncWait
        self.cache = CommissionCache(capacity: cacheCapacity)
    }

    // MARK: Agents

    func registerAgent(projectID: String, name: String, contact: String?) async throws -> (Agent, created: Bool) {
        let (agent, created) = try await store.registerAgent(projectID: projectID, name: name, contact: contact, at: .now())
        cache.put(agent)
        return (agent, created)
    }

    func agent(projectID: String, id: Int64) async throws -> Agent {
        if let cached = cache.agent(projectID: projectID, id: id) { return cached }
        guard let agent = try await store.agent(projectID: projectID, id: id) else { throw ServiceError.agentNotRegistered }
        cache.put(agent)
        return agent
    }

    // MARK: Campaigns

    func createCampaign(_ campaign: CampaignRecord) async throws -> CampaignRecord {
        let stored = try await store.insertCampaign(campaign)
        cache.put(stored)
        return stored
    }

    func campaign(projectID: String, id: Int64) async throws -> CampaignRecord {
        if let cached = cache.campaign(projectID: projectID, id: id) { return cached }
        guard let campaign = try await store.campaign(projectID: projectID, id: id) else {
            throw ServiceError.campaignNotFound(id)
        }
        cache.put(campaign)
        return campaign
    }

    func updateCampaign(
        projectID: String, id: Int64, _ change: @Sendable (inout CampaignRecord) throws -> Void
    ) async throws -> CampaignRecord {
        guard var campaign = try await store.campaign(projectID: projectID, id: id) else {
            throw ServiceError.campaignNotFound(id)
        }
        try change(&campaign)
        campaign.updatedAt = .now()
        guard try await store.updateCampaign(campaign) else { throw ServiceError.campaignNotFound(id) }
        cache.put(campaign)
        return campaign
    }

    func campaigns(projectID: String, includeEnded: Bool, after: Int64?, limit: Int) async throws -> [CampaignRecord] {
        try await store.campaigns(projectID: projectID, notEndedAt: includeEnded ? nil : .now(), after: after, limit: limit)
    }

    /// Campaigns running now, in creation order.
    func activeCampaigns(projectID: String) async throws -> [CampaignRecord] {
        let now = Instant.now()
        var active: [CampaignRecord] = []
        var after: Int64? = nil
        while true {
            let page = try await store.campaigns(projectID: projectID, notEndedAt: now, after: after, limit: 1000)
            active += page.filter { $0.isActive(at: now) }
            guard page.count == 1000, let last = page.last else { return active }
            after = last.id
        }
    }

    // MARK: Agent codes

    /// The agent's code for each campaign, created on first use; unsynced
    /// codes get a sync attempt, waited for at most `syncWait`.
    func codes(projectID: String, agentID: Int64, campaignID: Int64?) async throws -> [(AgentCode, CampaignRecord)] {
        let agent = try await agent(projectID: projectID, id: agentID)
        let campaigns: [CampaignRecord]
        if let campaignID {
            campaigns = [try await campaign(projectID: projectID, id: campaignID)]
        } else {
            campaigns = try await activeCampaigns(projectID: projectID).filter(\.hasCustomerDiscount)
        }
        return try await withThrowingTaskGroup(of: (Int, AgentCode, CampaignRecord).self) { group in
            for (index, campaign) in campaigns.enumerated() {
                group.addTask { (index, try await self.code(agent: agent, campaign: campaign), campaign) }
            }
            var results: [(Int, AgentCode, CampaignRecord)] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
    }

    /// Settled codes straight from memory; nil when the slow path must run.
    nonisolated func cachedCode(projectID: String, agentID: Int64, campaignID: Int64) -> (AgentCode, CampaignRecord)? {
        guard cache.agent(projectID: projectID, id: agentID) != nil,
            let campaign = cache.campaign(projectID: projectID, id: campaignID),
            let code = cache.settledCode(projectID: projectID, agentID: agentID, campaignID: campaignID)
        else { return nil }
        return (code, campaign)
    }

    /// First-time creation without a task: when the campaign is in memory and
    /// the project is known to have no Shopify credentials (nothing to sync),
    /// one job handed straight to the store's writer looks the agent up and
    /// makes the code, answering through `reply` on commit. False when the
    /// full path must run; `respond` runs on the event loop.
    nonisolated func startCreatingCode<Response: ProtoMessage>(
        projectID: String, agentID: Int64, campaignID: Int64, reply: WriteReply<Response>,
        respond: @escaping @Sendable (AgentCode, CampaignRecord) -> Response
    ) -> Bool {
        guard let campaign = cache.campaign(projectID: projectID, id: campaignID), campaign.isActive(at: .now()),
            cache.hasCredentials.value(for: projectID) == false
        else { return false }
        store.getOrCreateAgentCode(
            projectID: projectID, agentID: agentID, campaignID: campaignID, initial: Self.skipped, at: .now(),
            deadline: reply.deadline
        ) { [self, cache] result in
            switch result {
            case .success(nil):
                reply.fail(ServiceError.agentNotRegistered)
            case .success(let (code, _)?) where code.sync.status == .skippedNoCredentials:
                reply.complete(.success(code)) { code in
                    cache.put(code)
                    // As on the full path: credentials saved meanwhile may have missed
                    // this code, so once it is cached, look again.
                    if cache.hasCredentials.value(for: projectID) == true {
                        Task { _ = try? await self.codes(projectID: projectID, agentID: agentID, campaignID: campaignID) }
                    }
                    return respond(code, campaign)
                }
            case .success:
                // A code made earlier that still owes a sync attempt: the full path answers.
                Task {
                    do {
                        let codes = try await self.codes(projectID: projectID, agentID: agentID, campaignID: campaignID)
                        guard let (code, campaign) = codes.first else { throw ServiceError.campaignNotFound(campaignID) }
                        reply.complete(.success(code)) { respond($0, campaign) }
                    } catch {
                        reply.fail(error)
                    }
                }
            case .failure(let error):
                reply.fail(error)
            }
        }
        return true
    }

    private static let skipped = ShopifySyncState(status: .skippedNoCredentials, error: .missingShopifyCredentials)

    private nonisolated func code(agent: Agent, campaign: CampaignRecord) async throws -> AgentCode {
        if let cached = cache.settledCode(projectID: agent.projectID, agentID: agent.id, campaignID: campaign.id) {
            return cached
        }
        // An ended (or not yet started) campaign shows the code the agent has,
        // but makes none.
        guard campaign.isActive(at: .now()) else {
            guard let existing = try await store.agentCode(
                projectID: agent.projectID, agentID: agent.id, campaignID: campaign.id)
            else { throw ServiceError.campaignNotActive(campaign.id) }
            return existing
        }
        // A project without credentials gets its codes settled as skipped in the
        // one write that makes them: no outbox entry, no sync attempt.
        let credentialed = try await hasCredentials(projectID: agent.projectID)
        let initial = credentialed ? ShopifySyncState.pending : Self.skipped
        var (code, _) = try await store.getOrCreateAgentCode(
            projectID: agent.projectID, agentID: agent.id, agentName: agent.name, campaignID: campaign.id,
            initial: initial, at: .now())
        if code.sync.status == .skippedNoCredentials {
            cache.put(code)
            // Credentials saved meanwhile may have missed this code (requeued and dropped from the
            // cache before it existed): checked again after the cache entry is in place.
            guard try await hasCredentials(projectID: agent.projectID) else { return code }
        }
        if code.sync.status != .synced, let syncer {
            // Retried on every call until it is synced; the call itself never fails because Shopify did.
            if let after = await syncer.sync(codeID: code.id, waitingAtMost: syncWait) { code = after }
        }
        cache.put(code)
        return code
    }

    // MARK: Shopify

    nonisolated func hasCredentials(projectID: String) async throws -> Bool {
        if let known = cache.hasCredentials.value(for: projectID) { return known }
        let known = try await store.shopifyCredentials(projectID: projectID) != nil
        // Only "yes" is final; a "no" read here may race with a save, which sets "yes" itself.
        cache.hasCredentials.put(projectID, known, version: known ? 1 : 0)
        return known
    }

    /// Saves the credentials and sends every unsynced code of the project again.
    func setShopifyCredentials(_ credentials: ShopifyCredentials) async throws {
        try await store.saveShopifyCredentials(credentials)
        cache.hasCredentials.put(credentials.projectID, true, version: 1)
        cache.dropSkippedCodes(projectID: credentials.projectID)
        _ = try await store.requeueUnsynced(projectID: credentials.projectID, at: .now())
    }
}
