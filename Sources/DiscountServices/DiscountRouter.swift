import DiscountStore
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

        public init(
            requireAuth: Bool, ownerUID: UInt32, cacheCapacity: Int = 50_000, shopifySyncer: ShopifySyncer? = nil,
            shopifySyncWait: Duration = .seconds(2), shutdown: ShutdownSignal = ShutdownSignal()
        ) {
            self.shutdown = shutdown
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
        let tokens = TokenAuthority(store: store)
        let authorizer = Authorizer(requireAuth: options.requireAuth, ownerUID: options.ownerUID, tokens: tokens)
        var router = Router()
        router.errorMapper = discountErrorMapper
        HealthService().register(in: &router)

        var registrar = MethodRegistrar(
            router: router, authorizer: authorizer, idempotency: IdempotencyGuard(store: store), shutdown: options.shutdown)
        let priceRules = PriceRuleBook(store: store, cacheCapacity: options.cacheCapacity)
        let commission = CommissionBook(
            store: store, syncer: options.shopifySyncer, syncWait: options.shopifySyncWait, cacheCapacity: options.cacheCapacity)
        AdminService(
            facts: facts, store: store, tokens: tokens, priceRules: priceRules, metrics: router.metrics,
            syncQueueDepth: { try await store.outboxDepth() }, otherCacheCounts: { commission.cached.counts }
        ).register(in: &registrar)
        AdminService.registerBackup(in: &registrar, store: store)
        PriceRulesService(book: priceRules).register(in: &registrar)
        AdminService.registerShopify(in: &registrar, commission: commission)
        CommissionService(book: commission, store: store).register(in: &registrar)
        VouchersService(book: VoucherBook(store: store)).register(in: &registrar)
        return registrar.router
    }
}
