import DiscountServices
import Logging
import ServiceLifecycle
import TTRPC

/// The socket server as a lifecycle service: binds on start, drains on
/// graceful shutdown (SIGTERM), returns when every connection is closed.
struct RPCServerService: Service {
    let configuration: TTRPCServer.Configuration
    let router: Router
    let gracePeriod: Duration
    /// Raised as draining starts, so bulk operations stop at their next chunk.
    let shutdown: ShutdownSignal
    let logger: Logger

    func run() async throws {
        let server = try await TTRPCServer.bind(configuration: configuration, router: router, logger: logger)
        await withGracefulShutdownHandler {
            await server.run()
        } onGracefulShutdown: {
            shutdown.raise()
            Task { await server.shutdown(gracePeriod: gracePeriod) }
        }
    }
}
