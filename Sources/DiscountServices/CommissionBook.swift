import DiscountCore
import DiscountStore
import ProtoCodec
import ShopifySync
import Synchronization

/// The Commission domain actor: agents, campaigns and agents' codes over the
/// store, with a write-through cache, and the hand-off of unsynced codes to
/// the Shopify syncer. It owns its cache (written only here, after each
/// commit); cached reads (`cached`) need no hop, so the event loop answers
/// an agent's existing code at once.
actor CommissionBook {
    static let noCampaignsMessage = "No active campaigns with customer discounts at this time."

    let store: any CommissionStore
    let syncer: ShopifySyncer?
    /// How long GetMyDiscountCode waits for a sync attempt before answering.
    let syncWait: Duration
    /// Owned by this actor: written only here, after each commit.
    private let cache: CommissionCache
    /// Reads of the cache from anywhere (the event loop's fast path).
    nonisolated let cached: CommissionCache.Reads
    /// Counts batches of other writers' changes applied (`invalidate`): a copy
    /// read or written before one is cached only if none came in between.
    /// Changed only on this actor; atomic so that the get-or-create path can
    /// note it before its store call without a hop here.
    private let coherenceEpoch = Atomic<UInt64>(0)
    private nonisolated var epoch: UInt64 { coherenceEpoch.load(ordering: .acquiring) }

    init(
        store: any CommissionStore, syncer: ShopifySyncer?, syncWait: Duration, cacheCapacity: Int,
        freshness: CacheFreshness = .unbounded
    ) {
        self.store = store
        self.syncer = syncer
        self.syncWait = syncWait
        let cache = CommissionCache(capacity: cacheCapacity, freshness: freshness)
        self.cache = cache
        self.cached = cache.reads
    }

    // MARK: Agents

    func registerAgent(
        projectID: String, name: String, contact: String?, options: WriteOptions<(Agent, created: Bool)>
    ) async throws -> (Agent, created: Bool) {
        let epoch = self.epoch
        let (agent, created) = try await store.registerAgent(
            projectID: projectID, name: name, contact: contact, at: .now(), options: options)
        keep(since: epoch) { $0.put(agent) }
        return (agent, created)
    }

    nonisolated func agent(projectID: String, id: Int64) async throws -> Agent {
        if let cached = cached.agent(projectID: projectID, id: id) { return cached }
        let epoch = self.epoch
        guard let agent = try await store.agent(projectID: projectID, id: id) else { throw ServiceError.agentNotRegistered }
        await keep(since: epoch) { $0.put(agent) }
        return agent
    }

    // MARK: Campaigns

    func createCampaign(_ campaign: CampaignRecord, options: WriteOptions<CampaignRecord>) async throws -> CampaignRecord {
        let epoch = self.epoch
        let stored = try await store.insertCampaign(campaign, options: options)
        keep(since: epoch) { $0.put(stored) }
        return stored
    }

    nonisolated func campaign(projectID: String, id: Int64) async throws -> CampaignRecord {
        if let cached = cached.campaign(projectID: projectID, id: id) { return cached }
        let epoch = self.epoch
        guard let campaign = try await store.campaign(projectID: projectID, id: id) else {
            throw ServiceError.campaignNotFound(id)
        }
        await keep(since: epoch) { $0.put(campaign) }
        return campaign
    }

    /// The campaign with `change` applied and stamped, ready to store.
    func changedCampaign(
        projectID: String, id: Int64, _ change: @Sendable (inout CampaignRecord) throws -> Void
    ) async throws -> CampaignRecord {
        guard var campaign = try await store.campaign(projectID: projectID, id: id) else {
            throw ServiceError.campaignNotFound(id)
        }
        try change(&campaign)
        campaign.updatedAt = .now()
        return campaign
    }

    func updateCampaign(_ campaign: CampaignRecord, options: WriteOptions<Bool>) async throws -> CampaignRecord {
        let epoch = self.epoch
        guard try await store.updateCampaign(campaign, options: options) else { throw ServiceError.campaignNotFound(campaign.id) }
        keep(since: epoch) { $0.put(campaign) }
        return campaign
    }

    func campaigns(projectID: String, includeEnded: Bool, after: Int64?, limit: Int) async throws -> [CampaignRecord] {
        try await store.campaigns(projectID: projectID, notEndedAt: includeEnded ? nil : .now(), after: after, limit: limit)
    }

    /// Campaigns running now, in creation order.
    nonisolated func activeCampaigns(projectID: String) async throws -> [CampaignRecord] {
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
    ///
    /// It runs off this actor and hops here only to cache what it read or
    /// wrote: a first call's store write is not wrapped in hops onto the actor
    /// and back.
    nonisolated func codes(
        projectID: String, agentID: Int64, campaignID: Int64?, deadline: WriteDeadline = .never
    ) async throws -> [(AgentCode, CampaignRecord)] {
        let agent = try await agent(projectID: projectID, id: agentID)
        let campaigns: [CampaignRecord]
        if let campaignID {
            campaigns = [try await campaign(projectID: projectID, id: campaignID)]
        } else {
            campaigns = try await activeCampaigns(projectID: projectID).filter(\.hasCustomerDiscount)
        }
        // One campaign (the usual call names it): no child task to pay for.
        if campaigns.count == 1 {
            return [(try await code(agent: agent, campaign: campaigns[0], deadline: deadline), campaigns[0])]
        }
        return try await withThrowingTaskGroup(of: (Int, AgentCode, CampaignRecord).self) { group in
            for (index, campaign) in campaigns.enumerated() {
                group.addTask { (index, try await self.code(agent: agent, campaign: campaign, deadline: deadline), campaign) }
            }
            var results: [(Int, AgentCode, CampaignRecord)] = []
            for try await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map { ($0.1, $0.2) }
        }
    }

    /// Settled codes straight from memory; nil when the slow path must run.
    nonisolated func cachedCode(projectID: String, agentID: Int64, campaignID: Int64) -> (AgentCode, CampaignRecord)? {
        guard cached.agent(projectID: projectID, id: agentID) != nil,
            let campaign = cached.campaign(projectID: projectID, id: campaignID),
            let code = cached.settledCode(projectID: projectID, agentID: agentID, campaignID: campaignID)
        else { return nil }
        return (code, campaign)
    }

    private static let skipped = ShopifySyncState(status: .skippedNoCredentials, error: .missingShopifyCredentials)

    private nonisolated func code(agent: Agent, campaign: CampaignRecord, deadline: WriteDeadline) async throws -> AgentCode {
        if let cached = cached.settledCode(projectID: agent.projectID, agentID: agent.id, campaignID: campaign.id) {
            return cached
        }
        // An ended (or not yet started) campaign shows the code the agent has,
        // but makes none.
        guard campaign.isActive(at: .now()) else {
            guard
                let existing = try await store.agentCode(
                    projectID: agent.projectID, agentID: agent.id, campaignID: campaign.id)
            else { throw ServiceError.campaignNotActive(campaign.id) }
            return existing
        }
        // A project without credentials gets its codes settled as skipped in the
        // one write that makes them: no outbox entry, no sync attempt.
        let epoch = self.epoch
        let credentialed = try await hasCredentials(projectID: agent.projectID)
        let initial = credentialed ? ShopifySyncState.pending : Self.skipped
        var (code, _) = try await store.getOrCreateAgentCode(
            projectID: agent.projectID, agentID: agent.id, agentName: agent.name, campaignID: campaign.id,
            initial: initial, at: .now(), options: WriteOptions(deadline: deadline))
        if code.sync.status == .skippedNoCredentials {
            let skipped = code
            await keep(since: epoch) { $0.put(skipped) }
            // Credentials saved meanwhile may have missed this code (requeued and dropped from the
            // cache before it existed): checked again after the cache entry is in place.
            guard try await hasCredentials(projectID: agent.projectID) else { return code }
        }
        if code.sync.status != .synced, let syncer {
            // Retried on every call until it is synced; the call itself never fails because Shopify did.
            if let after = await syncer.sync(codeID: code.id, waitingAtMost: syncWait) { code = after }
        }
        let settled = code
        await keep(since: epoch) { $0.put(settled) }
        return settled
    }

    // MARK: Shopify

    nonisolated func hasCredentials(projectID: String) async throws -> Bool {
        if let known = cached.credentialsKnown(projectID: projectID) { return known }
        let epoch = self.epoch
        let known = try await store.shopifyCredentials(projectID: projectID) != nil
        // Only "yes" is final; a "no" read here may race with a save, which sets "yes" itself.
        await keep(since: epoch) { $0.hasCredentials.put(projectID, known, version: known ? 1 : 0) }
        return known
    }

    /// Saves the credentials and sends every unsynced code of the project again.
    /// Saves the credentials and, in the same write, sends every unsynced code
    /// of the project again.
    func setShopifyCredentials(_ credentials: ShopifyCredentials, options: WriteOptions<Int64>) async throws {
        _ = try await store.saveShopifyCredentials(credentials, requeueAt: .now(), options: options)
        cache.hasCredentials.put(credentials.projectID, true, version: 1)
        cache.dropSkippedCodes(projectID: credentials.projectID)
    }

    // MARK: Coherence

    /// Caches what was read or written since `epoch`, unless other writers'
    /// changes came in meanwhile: the copy might be older than one of them.
    private func keep(since epoch: UInt64, _ put: @Sendable (CommissionCache) -> Void) {
        if epoch == self.epoch { put(cache) }
    }

    /// Forgets what other writers changed (`CacheCoherence`).
    func invalidate(_ changes: [StoreChange]) {
        var agentCodeIDs: Set<Int64> = []
        var touched = false
        for change in changes {
            switch change.kind {
            case .agent:
                guard let id = Int64(change.id) else { continue }
                cache.agents.remove(CommissionCache.Scoped(projectID: change.projectID, id: id))
            case .campaign:
                guard let id = Int64(change.id) else { continue }
                cache.campaigns.remove(CommissionCache.Scoped(projectID: change.projectID, id: id))
            case .agentCode:
                guard let id = Int64(change.id) else { continue }
                agentCodeIDs.insert(id)
            case .shopifyCredentials:
                cache.hasCredentials.remove(change.projectID)
                cache.dropSkippedCodes(projectID: change.projectID)
            default:
                continue
            }
            touched = true
        }
        guard touched else { return }
        coherenceEpoch.wrappingAdd(1, ordering: .releasing)
        // Codes are cached by agent and campaign, not by id: one pass for the batch.
        if !agentCodeIDs.isEmpty { cache.syncedCodes.removeAll { _, code in agentCodeIDs.contains(code.id) } }
    }

    /// Changes were missed: forgets everything.
    func invalidateAll() {
        coherenceEpoch.wrappingAdd(1, ordering: .releasing)
        cache.removeAll()
    }
}
