import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// A ttrpc server on a Unix domain socket.
///
/// `run()` serves until `shutdown(gracePeriod:)`: then it stops accepting,
/// lets calls in flight finish (new ones get UNAVAILABLE), closes the
/// connections and removes the socket file it created (never one it adopted).
public final class TTRPCServer: Sendable {
    public struct Configuration: Sendable {
        public var socketPath: String
        /// 0600 by default; 0660 when a group is given.
        public var socketGroup: gid_t?
        public var limits = ServerLimits()

        public init(socketPath: String, socketGroup: gid_t? = nil) {
            self.socketPath = socketPath
            self.socketGroup = socketGroup
        }
    }

    public let configuration: Configuration
    private let channel: any Channel
    private let quiescing: ServerQuiescingHelper
    /// Counts calls in flight for the loops' polling; read by tests.
    let polling: LoopPolling
    private let logger: Logger
    private let stopped: EventLoopPromise<Void>
    /// The socket file this server bound: the only one it may remove. Nil for
    /// an adopted socket: systemd's file is systemd's.
    private let socketFile: UnixSocketFile.Identity?

    private init(
        configuration: Configuration, channel: any Channel, acceptor: Acceptor, logger: Logger, ownsSocketFile: Bool = true
    ) {
        self.configuration = configuration
        self.socketFile = ownsSocketFile ? UnixSocketFile.identity(configuration.socketPath) : nil
        self.channel = channel
        self.quiescing = acceptor.quiescing
        self.polling = acceptor.polling
        self.logger = logger
        self.stopped = channel.eventLoop.makePromise()
    }

    deinit {
        // A server dropped without `shutdown` (a test that threw, say) must not
        // trap on NIO's leaked-promise check; after a shutdown this is a no-op.
        stopped.succeed()
    }

    /// Binds the socket and starts accepting connections.
    public static func bind(
        configuration: Configuration, router: Router, logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> TTRPCServer {
        let path = configuration.socketPath
        try UnixSocketFile.prepare(path)
        let acceptor = Acceptor(configuration: configuration, router: router, logger: logger, group: group)

        // Bound here, not by NIO: a socket NIO binds is unlinked by path when
        // it closes, even if a successor's socket has replaced it by then.
        let descriptor = try UnixSocketFile.bindListening(path, backlog: 256)
        let channel: any Channel
        do {
            channel = try await acceptor.bootstrap.withBoundSocket(descriptor).get()
        } catch {
            close(descriptor)
            unlink(path)
            throw error
        }
        try UnixSocketFile.restrict(
            path, mode: configuration.socketGroup == nil ? 0o600 : 0o660, group: configuration.socketGroup)
        logger.info("listening", metadata: ["socket": "\(path)"])
        return TTRPCServer(configuration: configuration, channel: channel, acceptor: acceptor, logger: logger)
    }

    /// Serves on a socket that is already bound and listening, such as the one
    /// systemd passes on socket activation; its file, mode and group stay as
    /// they are. `configuration.socketPath` only names it in logs.
    public static func adopt(
        listeningSocket descriptor: CInt, configuration: Configuration, router: Router, logger: Logger,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> TTRPCServer {
        let acceptor = Acceptor(configuration: configuration, router: router, logger: logger, group: group)
        let channel = try await acceptor.bootstrap.withBoundSocket(descriptor).get()
        logger.info("listening on the inherited socket", metadata: ["socket": "\(configuration.socketPath)"])
        return TTRPCServer(
            configuration: configuration, channel: channel, acceptor: acceptor, logger: logger, ownsSocketFile: false)
    }

    /// What accepts connections, whichever way the socket came: the bootstrap
    /// and the server-wide state its connections share.
    private struct Acceptor {
        let quiescing: ServerQuiescingHelper
        let polling = LoopPolling()
        let bootstrap: ServerBootstrap

        init(configuration: Configuration, router: Router, logger: Logger, group: any EventLoopGroup) {
            raiseOpenFileLimit(toAtLeast: configuration.limits.maxConnections + 256)
            let quiescing = ServerQuiescingHelper(group: group)
            self.quiescing = quiescing
            bootstrap = Self.bootstrap(
                configuration: configuration, router: router, logger: logger, group: group, quiescing: quiescing,
                polling: polling)
        }

        private static func bootstrap(
            configuration: Configuration, router: Router, logger: Logger, group: any EventLoopGroup,
            quiescing: ServerQuiescingHelper, polling: LoopPolling
        ) -> ServerBootstrap {
            let limits = configuration.limits
            return ServerBootstrap(group: group)
                .serverChannelOption(ChannelOptions.backlog, value: 256)
                .serverChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            quiescing.makeServerChannelHandler(channel: channel))
                    }
                }
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(
                            ServerConnectionHandler(router: router, limits: limits, polling: polling, logger: logger))
                    }
                }
                .childChannelOption(ChannelOptions.autoRead, value: true)
                .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 4)
        }
    }

    /// Completes when `shutdown` has finished draining and closing.
    public func run() async {
        try? await stopped.futureResult.get()
    }

    /// Stops accepting, drains calls in flight for at most `gracePeriod`, then
    /// closes whatever is left and removes the socket file.
    public func shutdown(gracePeriod: Duration = .seconds(10)) async {
        let eventLoop = channel.eventLoop
        let drained = eventLoop.makePromise(of: Void.self)
        let outcome = eventLoop.makePromise(of: Bool.self)
        // Drained or out of time, whichever comes first decides.
        let settled = NIOLockedValueBox(false)
        let settle: @Sendable (Bool) -> Void = { inTime in
            let first = settled.withLockedValue { done in
                defer { done = true }
                return !done
            }
            if first { outcome.succeed(inTime) }
        }
        drained.futureResult.whenComplete { _ in settle(true) }
        let timer = eventLoop.scheduleTask(in: .nanoseconds(gracePeriod.nanoseconds)) { settle(false) }
        quiescing.initiateShutdown(promise: drained)
        if (try? await outcome.futureResult.get()) != true {
            logger.warning("grace period ended with calls still in flight")
        }
        timer.cancel()
        try? await channel.close()
        // A successor may have replaced a socket it found refusing (after the
        // close above): its socket is not ours to remove. An adopted one never was.
        if socketFile != nil, !UnixSocketFile.remove(configuration.socketPath, ifStill: socketFile) {
            logger.info("socket file is no longer ours; left in place", metadata: ["socket": "\(configuration.socketPath)"])
        }
        logger.info("stopped")
        stopped.succeed()
    }
}

/// Lifts the soft open-file limit (often 1024) toward the hard one, so that
/// `maxConnections` can be reached; as Go programs do at start.
private func raiseOpenFileLimit(toAtLeast wanted: Int) {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < rlim_t(wanted) else { return }
    limit.rlim_cur = min(limit.rlim_max, rlim_t(wanted))
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
