extension CommissionCache {
    /// Hits and misses of the agent, campaign and settled-code lookups, for Admin.Stats.
    var counts: (hits: UInt64, misses: UInt64) {
        let parts = [agents.counts, campaigns.counts, syncedCodes.counts]
        return (parts.reduce(0) { $0 + $1.hits }, parts.reduce(0) { $0 + $1.misses })
    }
}
