import CoreMetrics
import DiscountServices

/// The daemon-wide figures of Admin.Stats that are not counted as calls
/// happen (cache lookups, the Shopify outbox), brought into swift-metrics just
/// before each scrape, with the process's own.
struct ScrapeFigures: Sendable {
    enum Label {
        static let cacheHits = "cache_hits_total"
        static let cacheMisses = "cache_misses_total"
        static let cacheHitRatio = "cache_hit_ratio"
        static let syncQueueDepth = "sync_queue_depth"
        static let changeFeedCaughtUp = "change_feed_caught_up_seconds"
        static let cacheServing = "cache_serving"
    }

    let stats: StatsCollector
    private let cacheHits = CounterMirror(label: Label.cacheHits)
    private let cacheMisses = CounterMirror(label: Label.cacheMisses)
    private let cacheHitRatio = Gauge(label: Label.cacheHitRatio)
    private let syncQueueDepth = Gauge(label: Label.syncQueueDepth)
    private let changeFeedCaughtUp = Gauge(label: Label.changeFeedCaughtUp)
    private let cacheServing = Gauge(label: Label.cacheServing)
    private let process = ProcessFigures()

    init(stats: StatsCollector) {
        self.stats = stats
    }

    /// Reads the figures now. Throws when the store cannot say how deep the
    /// outbox is; the registry then keeps the last figures of the caches and the outbox.
    func update() async throws {
        process.update()
        // Before the store is asked anything: these matter most when it cannot answer.
        // Without other writers (SQLite) the caches are always caught up.
        let feed = stats.changeFeedStatus()
        let caughtUpAgo = feed?.caughtUpAgo ?? .zero
        changeFeedCaughtUp.record(Double(caughtUpAgo.components.seconds) + Double(caughtUpAgo.components.attoseconds) / 1e18)
        cacheServing.record((feed?.cacheServing ?? true) ? 1 : 0)
        let figures = try await stats.collect()
        cacheHits.update(to: Double(figures.cacheHits))
        cacheMisses.update(to: Double(figures.cacheMisses))
        cacheHitRatio.record(figures.cacheHitRatio)
        syncQueueDepth.record(figures.syncQueueDepth)
    }
}
