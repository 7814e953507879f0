import DiscountStore
import Logging
import ShopifySync
import TTRPC

/// Builds the route table of every discountd service over one store.
public enum DiscountRouter {
    public struct Options: Sendable {
        public var requireAuth: Bool
        public var ownerUID: UInt32
        /// Entries of the PriceRules cache (codes; rules get a sixteenth).
        public var cacheCapacity: Int
        /// Sends agent codes to Shopify; nil leaves them unsynced.
        public var shopifySyncer: ShopifySyncer?
        /// How long GetMyDiscountCode waits for a code's sync attempt.
        public var shopifySyncWait: Duration
        /// Raised when the daemon starts draining: bulk operations stop at their next chunk.
        public var shutdown: ShutdownSignal
        /// Other writers' changes to follow (a store shared by several
        /// daemons), and how; nil when this process is the only writer.
        public var coherence: Coherence?
        /// Codes stored per transaction and per progress message of a batch
        /// (voucher imports: half as many). Tests use small ones.
        public var bulkChunk = 50_000

        public struct Coherence: Sendable {
            public var feed: any ChangeFeed
            public var options: CacheCoherence.Options
            public var logger: Logger

            public init(feed: any ChangeFeed, options: CacheCoherence.Options = .init(), logger: Logger) {
                self.feed = feed
                self.options = options
                self.logger = logger
            }
        }

        public init(
            requireAuth: Bool, ownerUID: UInt32, cacheCapacity: Int = 50_000, shopifySyncer: ShopifySyncer? = nil,
            shopifySyncWait: Duration = .seconds(2), shutdown: ShutdownSignal = ShutdownSignal(), coherence: Coherence? = nil
        ) {
            self.shutdown = shutdown
            self.coherence = coherence
            self.requireAuth = requireAuth
            self.ownerUID = ownerUID
            self.cacheCapacity = cacheCapacity
            self.shopifySyncer = shopifySyncer
            self.shopifySyncWait = shopifySyncWait
        }
    }

    public static func make(
        facts: ServerFacts, store: any Store & CommissionStore & VoucherStore & StoreBackup, options: Options
    ) -> Router {
        compose(facts: facts, store: store, options: options).router
    }

    /// What the daemon runs: the routes, the figures Admin.Stats reports (for
    /// its metrics endpoint too), and the follower of other writers' changes
    /// (to run beside the server) when the store has other writers.
    public struct Composition: Sendable {
        public var router: Router
        public var stats: StatsCollector
        public var coherence: CacheCoherence?
    }

    public static func compose(
        facts: ServerFacts, store: any Store & CommissionStore & VoucherStore & StoreBackup, options: Options
    ) -> Composition {
        let freshness = options.coherence.map { CacheFreshness(bound: $0.options.stalenessBound) } ?? .unbounded
        let tokens = TokenAuthority(store: store, freshness: freshness)
        let authorizer = Authorizer(requireAuth: options.requireAuth, ownerUID: options.ownerUID, tokens: tokens)
        var router = Router()
        router.errorMapper = discountErrorMapper
        HealthService().register(in: &router)

        var registrar = MethodRegistrar(
            router: router, authorizer: authorizer, idempotency: IdempotencyGuard(store: store), shutdown: options.shutdown)
        let priceRules = PriceRuleBook(store: store, cacheCapacity: options.cacheCapacity, freshness: freshness)
        let commission = CommissionBook(
            store: store, syncer: options.shopifySyncer, syncWait: options.shopifySyncWait, cacheCapacity: options.cacheCapacity,
            freshness: freshness)
        let coherence = options.coherence.map {
            CacheCoherence(
                feed: $0.feed, freshness: freshness, options: $0.options, targets: [priceRules, commission, tokens],
                logger: $0.logger)
        }
        let stats = StatsCollector(
            metrics: router.metrics, cacheCounts: [{ priceRules.cached.counts }, { commission.cached.counts }],
            syncQueueDepth: { try await store.outboxDepth() }, changeFeed: { coherence?.status })
        AdminService(facts: facts, store: store, tokens: tokens, stats: stats).register(in: &registrar)
        AdminService.registerBackup(in: &registrar, store: store)
        PriceRulesService(book: priceRules, batchChunk: options.bulkChunk).register(in: &registrar)
        AdminService.registerShopify(in: &registrar, commission: commission)
        CommissionService(book: commission, store: store).register(in: &registrar)
        VouchersService(book: VoucherBook(store: store), importChunk: max(1, options.bulkChunk / 2)).register(in: &registrar)
        return Composition(router: registrar.router, stats: stats, coherence: coherence)
    }
}
