import DiscountStore
import Foundation
import Logging
import PostgresNIO
import Synchronization

/// The LISTEN side of the change feed, on a connection of its own (pooled
/// connections come and go; a listener must stay).
///
/// It rings every subscriber on each notification, says `.listening` each
/// time it is (again) subscribed and `.lost` when its connection goes. A
/// heartbeat query proves the connection alive: a network cut shows as a
/// heartbeat that does not come back, not as silence. While it cannot
/// reconnect the server is taken to be unreachable (`outage`), and the store
/// fails calls at once instead of queueing them on a pool that cannot connect.
final class PostgresDoorbell: Sendable {
    private struct State {
        var subscribers: [UUID: AsyncStream<ChangeDoorbell>.Continuation] = [:]
        var listening = false
        var outage: String?
        var backendPID: Int32?
        var task: Task<Void, Never>?
        var stopped = false
    }

    private let configuration: PostgresConnection.Configuration
    private let channel: String
    private let heartbeat: Duration
    private let heartbeatTimeout: Duration
    private let logger: Logger
    private let state = Mutex(State())

    init(
        configuration: PostgresConnection.Configuration, channel: String, heartbeat: Duration, heartbeatTimeout: Duration,
        logger: Logger
    ) {
        self.configuration = configuration
        self.channel = channel
        self.heartbeat = heartbeat
        self.heartbeatTimeout = heartbeatTimeout
        self.logger = logger
    }

    /// Why the server is taken to be unreachable, or nil while it is reachable.
    var outage: String? { state.withLock { $0.outage } }

    var feedState: ChangeFeedState { state.withLock { ChangeFeedState(listening: $0.listening, outage: $0.outage) } }

    /// The server process of the listening connection, while there is one.
    var backendPID: Int32? { state.withLock { $0.listening ? $0.backendPID : nil } }

    /// Connects and subscribes once (so `open` fails when the server is not
    /// there), then keeps the subscription up in the background.
    func start() async throws {
        let connection = try await connect()
        let task = Task { await self.run(first: connection) }
        state.withLock { $0.task = task }
    }

    func stop() async {
        let (task, subscribers) = state.withLock { state in
            state.stopped = true
            defer { state.subscribers = [:] }
            return (state.task, state.subscribers.values)
        }
        task?.cancel()
        await task?.value
        for subscriber in subscribers { subscriber.finish() }
    }

    func subscribe() -> AsyncStream<ChangeDoorbell> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: ChangeDoorbell.self, bufferingPolicy: .bufferingNewest(8))
        let stopped = state.withLock { state in
            if !state.stopped { state.subscribers[id] = continuation }
            if state.listening { continuation.yield(.listening) }
            return state.stopped
        }
        if stopped { continuation.finish() }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    // MARK: The listening loop

    private func run(first: PostgresConnection) async {
        var connection: PostgresConnection? = first
        var backoff: Duration = .milliseconds(50)
        while !Task.isCancelled {
            if connection == nil {
                do {
                    connection = try await connect()
                } catch {
                    markOutage("cannot connect: \(PostgresErrors.message(error))")
                    try? await Task.sleep(for: backoff)
                    backoff = min(backoff * 2, .seconds(2))
                    continue
                }
            }
            guard let current = connection else { continue }
            do {
                try await listen(on: current)
            } catch is CancellationError {
            } catch {
                // Silence (no answer in time, even to subscribing): the server
                // is as good as gone until a reconnect proves otherwise.
                if let silence = error as? Silence { markOutage(silence.description) }
                logger.warning("change doorbell lost", metadata: ["error": "\(PostgresErrors.message(error))"])
            }
            try? await current.close()
            connection = nil
            // Subscribed this time: the next reconnect starts afresh.
            if state.withLock({ $0.listening }) { backoff = .milliseconds(50) }
            ring(.lost) { $0.listening = false }
        }
        if let connection { try? await connection.close() }
    }

    /// Subscribes on `connection` and rings subscribers until the connection
    /// fails or a heartbeat goes unanswered. Subscribing is bounded by the
    /// heartbeat's timeout too: a connection that closes just as it opens
    /// leaves its first queries unanswered (see `abandoning`).
    private func listen(on connection: PostgresConnection) async throws {
        try await abandoning(
            watch: { [self] in
                let silence = await Self.silence(after: heartbeatTimeout)
                // Subscribed in time (`run` clears it after every listen): the
                // heartbeat watches from now on.
                while state.withLock({ $0.listening }), !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(3600))
                }
                return silence
            },
            { [self] in
                let pid = try await collect(connection.query("SELECT pg_backend_pid()", logger: logger)).first?.decode(
                    Int32.self)
                try await connection.listen(on: channel) { notifications in
                    state.withLock {
                        $0.outage = nil
                        $0.backendPID = pid
                    }
                    ring(.listening) { $0.listening = true }
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for try await _ in notifications { self.ring(.rang) }
                            throw PostgresSchemaError(description: "the notification stream ended")
                        }
                        group.addTask { try await self.beat(connection) }
                        try await group.next()
                        group.cancelAll()
                    }
                }
            })
    }

    /// `body`'s answer, or `Silence` once `heartbeatTimeout` has passed without
    /// one (`body` is then left behind: see `abandoning`).
    private func withHeartbeatTimeout<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await abandoning(watch: { [heartbeatTimeout] in await Self.silence(after: heartbeatTimeout) }, body)
    }

    /// Waits out `timeout`; what an unanswered heartbeat then throws.
    private static func silence(after timeout: Duration) async -> Silence {
        try? await Task.sleep(for: timeout)
        return Silence(description: "no answer to a heartbeat within \(timeout)")
    }

    /// `SELECT 1` every `heartbeat`. One that takes longer than
    /// `heartbeatTimeout` means the server is as good as gone until a reconnect
    /// proves otherwise: the outage is marked, the connection closed and
    /// `Silence` thrown. The query is left behind then, not awaited: one
    /// written just after the connection closed is never answered
    /// (`abandoning`).
    private func beat(_ connection: PostgresConnection) async throws {
        while true {
            try await Task.sleep(for: heartbeat)
            // Closed under it: the notifications end too, and a reconnect says
            // whether the server is there.
            guard !connection.isClosed else { throw PostgresSchemaError(description: "the connection closed") }
            do {
                try await withHeartbeatTimeout { [logger] in _ = try await connection.query("SELECT 1", logger: logger) }
            } catch let silence as Silence {
                // Marked here: closing the connection also ends the
                // notifications, whose error may be the one that surfaces.
                markOutage(silence.description)
                try? await connection.close()
                throw silence
            }
        }
    }

    struct Silence: Error, CustomStringConvertible {
        let description: String
    }

    private func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
    }

    private func markOutage(_ why: String) {
        state.withLock { $0.outage = why }
    }

    private func ring(_ doorbell: ChangeDoorbell, _ update: (inout State) -> Void = { _ in }) {
        let subscribers = state.withLock { state in
            update(&state)
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers { subscriber.yield(doorbell) }
    }
}
