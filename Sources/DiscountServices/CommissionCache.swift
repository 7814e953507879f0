import DiscountCore

/// The Commission cache: agents, campaigns and settled agent codes, scoped by
/// project. Written through after every committed change. A code is cached
/// once synced, or while its project has no Shopify credentials (retrying
/// cannot change that; setting credentials drops those entries); a failed
/// code is not, because each call must retry its sync.
final class CommissionCache: Sendable {
    struct CodeKey: Hashable, Sendable {
        var projectID: String
        var agentID: Int64
        var campaignID: Int64
    }

    struct Scoped: Hashable, Sendable {
        var projectID: String
        var id: Int64
    }

    let agents: VersionedCache<Scoped, Agent>
    let campaigns: VersionedCache<Scoped, CampaignRecord>
    let syncedCodes: VersionedCache<CodeKey, AgentCode>
    /// Whether each project has Shopify credentials, once read; the book sets it when they are saved.
    let hasCredentials: VersionedCache<String, Bool>

    /// Past the staleness bound every lookup misses, so reads go to the store.
    let freshness: CacheFreshness

    init(capacity: Int, freshness: CacheFreshness = .unbounded) {
        self.freshness = freshness
        agents = VersionedCache(capacity: max(1024, capacity / 4))
        campaigns = VersionedCache(capacity: 4096)
        syncedCodes = VersionedCache(capacity: capacity)
        hasCredentials = VersionedCache(capacity: 4096)
    }

    func agent(projectID: String, id: Int64) -> Agent? {
        guard freshness.isFresh else { return nil }
        return agents.value(for: Scoped(projectID: projectID, id: id))
    }

    func campaign(projectID: String, id: Int64) -> CampaignRecord? {
        guard freshness.isFresh else { return nil }
        return campaigns.value(for: Scoped(projectID: projectID, id: id))
    }

    func settledCode(projectID: String, agentID: Int64, campaignID: Int64) -> AgentCode? {
        guard freshness.isFresh else { return nil }
        return syncedCodes.value(for: CodeKey(projectID: projectID, agentID: agentID, campaignID: campaignID))
    }

    func put(_ agent: Agent) { agents.set(Scoped(projectID: agent.projectID, id: agent.id), agent) }
    func put(_ campaign: CampaignRecord) { campaigns.set(Scoped(projectID: campaign.projectID, id: campaign.id), campaign) }

    func put(_ code: AgentCode) {
        guard code.sync.status == .synced || code.sync.status == .skippedNoCredentials else { return }
        syncedCodes.set(CodeKey(projectID: code.projectID, agentID: code.agentID, campaignID: code.campaignID), code)
    }

    /// Whether the project has Shopify credentials, if known and fresh.
    func credentialsKnown(projectID: String) -> Bool? {
        guard freshness.isFresh else { return nil }
        return hasCredentials.value(for: projectID)
    }

    /// Some changes may have been missed: nothing cached can be trusted.
    func removeAll() {
        agents.removeAll()
        campaigns.removeAll()
        syncedCodes.removeAll()
        hasCredentials.removeAll()
    }

    /// New credentials: codes skipped for want of them must be sent now.
    func dropSkippedCodes(projectID: String) {
        syncedCodes.removeAll { key, code in key.projectID == projectID && code.sync.status == .skippedNoCredentials }
    }
}
