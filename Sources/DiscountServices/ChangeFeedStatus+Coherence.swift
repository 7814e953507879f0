import DiscountProto

extension ChangeFeedStatus {
    /// The wire form of `status`; without one (a single-writer store) the
    /// feed is always caught up and the caches always serve.
    init(_ status: CacheCoherence.Status?) {
        guard let status else {
            self.init(listening: true, cacheServing: true)
            return
        }
        self.init(
            listening: status.feed.listening, outage: status.feed.outage ?? "",
            caughtUpSecondsAgo: status.caughtUpAgo.inSeconds, lastChangeLagSeconds: status.lastChangeLag?.inSeconds ?? 0,
            stalenessBoundSeconds: status.stalenessBound?.inSeconds ?? 0, cacheServing: status.cacheServing,
            changesApplied: status.changesApplied, fullInvalidations: status.fullInvalidations)
    }
}

extension Duration {
    /// Seconds as a fraction, for the wire.
    var inSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
