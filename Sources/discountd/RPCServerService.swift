import DiscountServices
import Logging
import ServiceLifecycle
import TTRPC

#if canImport(Glibc)
import Glibc
#endif

/// The socket server as a lifecycle service: binds on start (or adopts the
/// socket systemd passed), tells systemd it is ready, drains on graceful
/// shutdown (SIGTERM), returns when every connection is closed.
struct RPCServerService: Service {
    let configuration: TTRPCServer.Configuration
    /// The listening socket of socket activation; nil: bind `configuration.socketPath`.
    var inheritedSocket: CInt?
    let router: Router
    let gracePeriod: Duration
    /// Raised as draining starts, so bulk operations stop at their next chunk.
    let shutdown: ShutdownSignal
    /// Told READY=1 once calls are accepted, STOPPING=1 when draining starts.
    var notifier: SystemdNotifier?
    let logger: Logger

    func run() async throws {
        let server =
            if let inheritedSocket {
                try await TTRPCServer.adopt(
                    listeningSocket: inheritedSocket, configuration: configuration, router: router, logger: logger)
            } else {
                try await TTRPCServer.bind(configuration: configuration, router: router, logger: logger)
            }
        // main opened and migrated the store before starting the services; the socket now accepts.
        notify { try $0.ready(status: "serving on \(configuration.socketPath)") }
        await withGracefulShutdownHandler {
            await server.run()
        } onGracefulShutdown: {
            shutdown.raise()
            notify { try $0.stopping() }
            Task { await server.shutdown(gracePeriod: gracePeriod) }
        }
    }

    private func notify(_ send: (SystemdNotifier) throws -> Void) {
        guard let notifier else { return }
        do { try send(notifier) } catch { logger.warning("systemd notification", metadata: ["error": "\(error)"]) }
    }
}
