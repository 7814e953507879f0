import DiscountStore
import TTRPC

/// Builds the route table of every discountd service over one store.
public enum DiscountRouter {
    public struct Options: Sendable {
        public var requireAuth: Bool
        public var ownerUID: UInt32
        /// Entries of the PriceRules cache (codes; rules get a sixteenth).
        public var cacheCapacity: Int

        public init(requireAuth: Bool, ownerUID: UInt32, cacheCapacity: Int = 50_000) {
            self.requireAuth = requireAuth
            self.ownerUID = ownerUID
            self.cacheCapacity = cacheCapacity
        }
    }

    public static func make(facts: ServerFacts, store: any Store & VoucherStore, options: Options) -> Router {
        let tokens = TokenAuthority(store: store)
        let authorizer = Authorizer(requireAuth: options.requireAuth, ownerUID: options.ownerUID, tokens: tokens)
        var router = Router()
        router.errorMapper = discountErrorMapper
        HealthService().register(in: &router)

        var registrar = MethodRegistrar(router: router, authorizer: authorizer, idempotency: IdempotencyGuard(store: store))
        let priceRules = PriceRuleBook(store: store, cacheCapacity: options.cacheCapacity)
        AdminService(facts: facts, store: store, tokens: tokens, priceRules: priceRules, metrics: router.metrics)
            .register(in: &registrar)
        PriceRulesService(book: priceRules).register(in: &registrar)
        VouchersService(book: VoucherBook(store: store)).register(in: &registrar)
        return registrar.router
    }
}
