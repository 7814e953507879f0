import DiscountClient
import DiscountServices
import DiscountStore
import DiscountStoreSQLite
import Foundation
import Logging
import NIOCore
import TTRPC

/// The whole daemon minus its process: the real router, services and a
/// SQLite store in a temporary folder, served by a real TTRPC server on a
/// temporary Unix socket inside the test process. Tests talk to it through
/// `DiscountClient` (or raw `TTRPCClient` calls) exactly as to a live daemon,
/// but start in milliseconds and share the test's address space (a trap in a
/// handler fails the test run instead of vanishing into another process).
public final class InProcessDaemon: Sendable {
    public struct Options: Sendable {
        public var requireAuth = false
        public var cacheEntries = 1_000
        public var defaultTimeout: Duration = .seconds(30)
        /// Other writers' changes, as a shared store would report them: the
        /// daemon then follows them as it does on PostgreSQL.
        public var changeFeed: (any ChangeFeed)?
        public var coherence = CacheCoherence.Options()
        /// Codes per chunk of a bulk operation (the daemon's: 50,000).
        public var bulkChunk = 50_000
        public init() {}
    }

    public let directory: URL
    public let socketPath: String
    public let store: SQLiteStore
    /// What SIGTERM raises in the daemon: `beginShutdown()` raises it here.
    public let shutdown: ShutdownSignal
    /// The follower of `Options.changeFeed`, while there is one.
    public let coherence: CacheCoherence?
    private let server: TTRPCServer
    private let coherenceTask: Task<Void, Never>?

    private init(
        directory: URL, socketPath: String, store: SQLiteStore, shutdown: ShutdownSignal, server: TTRPCServer,
        coherence: CacheCoherence?
    ) {
        self.directory = directory
        self.socketPath = socketPath
        self.store = store
        self.shutdown = shutdown
        self.server = server
        self.coherence = coherence
        coherenceTask = coherence.map { coherence in Task { await coherence.run() } }
    }

    /// Starts on a new temporary folder, or on `directory` as a restart would
    /// (`stop(keepingData: true)` leaves it behind).
    public static func start(_ options: Options = Options(), directory: URL? = nil) async throws -> InProcessDaemon {
        let directory = try makeFolder(directory, orTemporary: "discountd-inproc")
        let socketPath = directory.appendingPathComponent("d.sock").path
        let store = try SQLiteStore.open(path: directory.appendingPathComponent("discountd.sqlite").path)
        let shutdown = ShutdownSignal()
        var logger = Logger(label: "discountd-test")
        logger.logLevel = .critical
        var routerOptions = DiscountRouter.Options(
            requireAuth: options.requireAuth, ownerUID: getuid(), cacheCapacity: options.cacheEntries,
            shutdown: shutdown,
            coherence: options.changeFeed.map {
                DiscountRouter.Options.Coherence(feed: $0, options: options.coherence, logger: logger)
            })
        routerOptions.bulkChunk = options.bulkChunk
        let composition = DiscountRouter.compose(
            facts: ServerFacts(version: "test", backend: store.backendName, socketPath: socketPath), store: store,
            options: routerOptions)
        var configuration = TTRPCServer.Configuration(socketPath: socketPath)
        configuration.limits.defaultTimeout = .nanoseconds(Int64(options.defaultTimeout.components.seconds) * 1_000_000_000)
        let server = try await TTRPCServer.bind(configuration: configuration, router: composition.router, logger: logger)
        return InProcessDaemon(
            directory: directory, socketPath: socketPath, store: store, shutdown: shutdown, server: server,
            coherence: composition.coherence)
    }

    /// A client with `DiscountClient.Options.forTests` unless told otherwise.
    public func client(_ options: DiscountClient.Options = .forTests) async throws -> DiscountClient {
        try await DiscountClient.connect(socketPath: socketPath, options: options)
    }

    /// What SIGTERM does first: long operations stop at their next chunk.
    public func beginShutdown() {
        shutdown.raise()
    }

    /// Drains, closes the store and removes the folder (unless kept for a restart).
    public func stop(keepingData: Bool = false) async {
        shutdown.raise()
        await server.shutdown(gracePeriod: .seconds(5))
        coherenceTask?.cancel()
        await coherenceTask?.value
        await store.close()
        if !keepingData { try? FileManager.default.removeItem(at: directory) }
    }
}

/// Runs `body` against a fresh in-process daemon, then stops it.
public func withInProcessDaemon<T>(
    _ options: InProcessDaemon.Options = .init(), _ body: (InProcessDaemon) async throws -> T
) async throws -> T {
    let daemon = try await InProcessDaemon.start(options)
    do {
        let result = try await body(daemon)
        await daemon.stop()
        return result
    } catch {
        await daemon.stop()
        throw error
    }
}

extension DiscountClient.Options {
    /// What tests' clients use: a deadline long enough that a test process
    /// sharing two cores with bulk suites runs slowly rather than failing.
    /// Tests of deadlines set their own.
    public static var forTests: DiscountClient.Options { DiscountClient.Options(timeout: .seconds(60)) }
}
