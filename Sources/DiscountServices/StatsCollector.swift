import TTRPC

/// The figures of Admin.Stats, gathered in one place so the Stats call and the
/// daemon's Prometheus endpoint report the same numbers.
public struct StatsCollector: Sendable {
    public struct Figures: Sendable {
        /// Every method called at least once, ordered by service and method.
        public var methods: [MethodMetrics.Snapshot]
        /// Lookups of every in-process cache answered from memory, and those that went to the store.
        public var cacheHits: UInt64
        public var cacheMisses: UInt64
        /// Agent codes waiting in the Shopify outbox.
        public var syncQueueDepth: Int64
        public var connections: Int
        /// How the caches follow other writers; nil when there are none (one writer: always coherent).
        public var changeFeed: CacheCoherence.Status?

        /// Hits / (hits + misses) since start; 0 before any lookup.
        public var cacheHitRatio: Double {
            let lookups = cacheHits + cacheMisses
            return lookups == 0 ? 0 : Double(cacheHits) / Double(lookups)
        }
    }

    let metrics: ServerMetrics
    /// Hits and misses of each cache.
    let cacheCounts: [@Sendable () -> (hits: UInt64, misses: UInt64)]
    let syncQueueDepth: @Sendable () async throws -> Int64
    /// The change feed's state now; nil without other writers.
    let changeFeed: @Sendable () -> CacheCoherence.Status?

    /// How the caches follow other writers now; nil when there are none.
    public func changeFeedStatus() -> CacheCoherence.Status? { changeFeed() }

    public func collect() async throws -> Figures {
        let counts = cacheCounts.map { $0() }
        return Figures(
            methods: metrics.snapshot(), cacheHits: counts.reduce(0) { $0 + $1.hits },
            cacheMisses: counts.reduce(0) { $0 + $1.misses }, syncQueueDepth: try await syncQueueDepth(),
            connections: metrics.connections, changeFeed: changeFeed())
    }
}
