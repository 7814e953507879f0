import ArgumentParser
import CCrashGuard
import CoreMetrics
import DiscountServices
import DiscountStore
import DiscountStoreSQLite
import Logging
import ServiceLifecycle
import ShopifySync
import TTRPC

#if canImport(Glibc)
import Glibc
#endif

/// `discountd`: the daemon. Its subcommands work on a data folder while no
/// daemon runs on it.
@main
struct Discountd: AsyncParsableCommand {
    static let version = "0.1.0"
    /// Exit status when another discountd holds the data folder's lock
    /// (EX_TEMPFAIL: try again once it has stopped).
    static let exitDataDirectoryInUse: Int32 = 75

    static let configuration = CommandConfiguration(
        commandName: "discountd",
        abstract: "The local discount-code daemon: ttrpc on a Unix socket.",
        version: version,
        subcommands: [CreateTokenCommand.self, CopyStoreCommand.self])

    @OptionGroup var options: DaemonOptions

    func run() async throws {
        // A crash (which no request should cause) ends connections at once
        // instead of leaving clients hanging through the backtrace.
        discountd_install_crash_guard()
        let level = Logger.Level(rawValue: options.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "discountd")
        if let jemalloc = ProcessMalloc.jemallocServingMalloc() {
            logger.info("malloc: \(jemalloc)")
        } else {
            logger.warning("malloc: not jemalloc (another library's malloc came first); writes run slower")
        }
        // Taken first, so that no child process inherits what systemd passed.
        let activatedSocket = try SocketActivation.takeListeningSocket()
        let notifier = SystemdNotifier.fromEnvironment()
        // Bootstrapped before the router creates its metrics, so they report here.
        let prometheus = options.metricsAddress.map { _ in PrometheusMetricsBackend() }
        if let prometheus { MetricsSystem.bootstrap(prometheus) }

        let opened = try await OpenedStore.open(
            options.dataFolder, synchronous: SynchronousMode(rawValue: options.sqliteSynchronous) ?? .full, logger: logger)
        defer { withExtendedLifetime(opened.lock) {} }
        let store = opened.store
        var serverConfiguration = TTRPCServer.Configuration(
            socketPath: activatedSocket?.path ?? options.socket, socketGroup: try options.socketGroup.map(groupID))
        serverConfiguration.limits.maxDataSize = options.maxDataSize
        serverConfiguration.limits.maxCallsInFlight = options.maxCallsInFlight
        serverConfiguration.limits.maxConnections = options.maxConnections
        if options.idleTimeout > 0 {
            serverConfiguration.limits.idleTimeout = .nanoseconds(Int64(options.idleTimeout * 1e9))
        }
        serverConfiguration.limits.defaultTimeout = .nanoseconds(Int64(options.defaultTimeout * 1e9))

        let facts = ServerFacts(version: Self.version, backend: store.backendName, socketPath: serverConfiguration.socketPath)
        let shopify = try ShopifySetup(options: options, store: store, logger: logger)
        let shutdown = ShutdownSignal()
        let coherence =
            opened.sharedWithOtherWriters
            ? DiscountRouter.Options.Coherence(
                feed: store,
                options: .init(stalenessBound: .nanoseconds(Int64(options.cacheStalenessBound * 1e9))), logger: logger)
            : nil
        let composition = DiscountRouter.compose(
            facts: facts, store: store,
            options: .init(
                requireAuth: options.requireAuth, ownerUID: getuid(), cacheCapacity: options.cacheEntries,
                shopifySyncer: shopify.syncer, shopifySyncWait: shopify.syncWait, shutdown: shutdown, coherence: coherence))
        let (router, stats) = (composition.router, composition.stats)

        let server = RPCServerService(
            configuration: serverConfiguration, inheritedSocket: activatedSocket?.descriptor, router: router,
            gracePeriod: .nanoseconds(Int64(options.gracePeriod * 1e9)), shutdown: shutdown, notifier: notifier,
            logger: logger)
        // Graceful shutdown stops services in reverse order: the watchdog and
        // the metrics listener go on until calls have drained.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let notifier, let watchdog = WatchdogService(notifier: notifier, logger: logger) {
            services.append(.init(service: watchdog))
        }
        // Stopped after the server (services stop in reverse order): caches stay coherent while calls drain.
        if let coherence = composition.coherence {
            services.append(.init(service: CacheCoherenceService(coherence: coherence)))
        }
        if let prometheus, let address = options.metricsAddress {
            services.append(
                .init(
                    service: MetricsServer(
                        host: address.host, port: address.port, registry: prometheus.registry,
                        figures: ScrapeFigures(stats: stats), logger: logger)))
        }
        let group = ServiceGroup(
            configuration: .init(
                services: services + [
                    .init(service: server), .init(service: IdempotencyPurgeService(store: store, logger: logger)),
                ]
                    + shopify.services,
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
            // Calls have drained: every acknowledged write is committed already.
            await store.close()
        } catch {
            await store.close()
            logger.critical("stopped on error", metadata: ["error": "\(describe(error))"])
            throw DaemonFailure(description: describe(error))
        }
    }
}

/// Creates the data folder (and parents) with owner-only access.
func makeDirectory(_ path: String) throws {
    var built = path.hasPrefix("/") ? "" : "."
    for part in path.split(separator: "/") {
        built += "/" + part
        if mkdir(built, 0o700) != 0 && errno != EEXIST {
            throw ValidationError("cannot create data folder \(path): \(String(cString: strerror(errno)))")
        }
    }
}

func printError(_ message: String) {
    var line = Array((message + "\n").utf8)
    _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}

private func groupID(_ name: String) throws -> gid_t {
    if let id = gid_t(name) { return id }
    guard let entry = getgrnam(name) else { throw ValidationError("unknown group \(name)") }
    return entry.pointee.gr_gid
}

/// Printed by ArgumentParser as `Error: …`, with exit status 1.
struct DaemonFailure: Error, CustomStringConvertible {
    let description: String
}

private func describe(_ error: any Error) -> String {
    if let failure = error as? UnixSocketFile.Failure { return failure.description }
    if let failure = error as? SocketActivation.Failure { return failure.description }
    return "\(error)"
}
