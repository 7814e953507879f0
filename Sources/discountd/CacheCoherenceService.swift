import DiscountServices
import ServiceLifecycle

/// Runs the follower of other daemons' changes (`CacheCoherence`) for as long
/// as the daemon runs.
struct CacheCoherenceService: Service {
    let coherence: CacheCoherence

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await coherence.run()
        }
    }
}
