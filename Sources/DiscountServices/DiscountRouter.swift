import TTRPC

/// Builds the route table of every discountd service.
public enum DiscountRouter {
    public static func make(facts: ServerFacts, authorizer: Authorizer) -> Router {
        var router = Router()
        router.errorMapper = discountErrorMapper
        HealthService().register(in: &router)
        AdminService(facts: facts, authorizer: authorizer).register(in: &router)
        return router
    }
}
