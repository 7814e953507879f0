import DiscountCore

extension CommissionCache {
    /// What may be read of the cache from anywhere (the event loop's fast
    /// path included). Changes go only through `CommissionBook`, which owns
    /// the cache and writes it after each commit.
    struct Reads: Sendable {
        fileprivate let cache: CommissionCache

        func agent(projectID: String, id: Int64) -> Agent? { cache.agent(projectID: projectID, id: id) }

        func campaign(projectID: String, id: Int64) -> CampaignRecord? { cache.campaign(projectID: projectID, id: id) }

        func settledCode(projectID: String, agentID: Int64, campaignID: Int64) -> AgentCode? {
            cache.settledCode(projectID: projectID, agentID: agentID, campaignID: campaignID)
        }

        func credentialsKnown(projectID: String) -> Bool? { cache.credentialsKnown(projectID: projectID) }

        var counts: (hits: UInt64, misses: UInt64) { cache.counts }
    }

    var reads: Reads { Reads(cache: self) }
}
