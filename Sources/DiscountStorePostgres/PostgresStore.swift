import DiscountCore
import DiscountStore
import Logging
import PostgresNIO
import Synchronization

/// The shared store: one PostgreSQL database that several daemons (one per
/// host) use at once as their common truth.
///
/// - Every decision that must be exact (usage limits, one-time assignments,
///   one code per agent and campaign, code uniqueness) is the database's: a
///   constraint, a conditional UPDATE or a `FOR UPDATE SKIP LOCKED` claim.
/// - Hot writes (code inserts, redemptions, voucher assignments, first agent
///   codes) are batched: the calls queued while a batch is being written go
///   together as the next one, one statement over array parameters, so N
///   concurrent calls cost one round trip and one commit (`WriteBatcher`,
///   `writeBatch`; calls with idempotency keys add their claims to the same
///   transaction). Other writes run one transaction each (`write`).
/// - Every write logs what it changed in its own transaction; the log is the
///   `ChangeFeed` other daemons catch up from, and each committed transaction
///   that logged something rings the doorbell once (see `PostgresSchema`).
///
/// Reads and writes share a `PostgresClient` pool; the doorbell has a
/// connection of its own (`PostgresDoorbell`). The operations live in the
/// `PostgresStore+…` files.
public final class PostgresStore: Store, Sendable {
    public var backendName: String { "postgresql" }

    /// How to reach the server (without the password: for logs).
    public let url: PostgresURL
    /// The schema the store's tables are in (the first of the search path).
    public let schema: String

    let client: PostgresClient
    let logger: Logger
    let doorbell: PostgresDoorbell
    let gate = OperationGate()
    let commitDelay: Duration
    private let clientTask: Task<Void, Never>
    private let pruneTask: Mutex<Task<Void, Never>?> = Mutex(nil)

    // The batched hot writes; set once in `open`.
    let batchers: Batchers

    struct Batchers: Sendable {
        var codeInserts: WriteBatcher<Batched<DiscountCode, Void>, Void>
        var redemptions: WriteBatcher<Batched<RedemptionRequest, RedemptionOutcome>, RedemptionOutcome>
        var assignments: WriteBatcher<Batched<VoucherAssignment, VoucherAssignmentOutcome>, VoucherAssignmentOutcome>
        var agentCodes: WriteBatcher<Batched<AgentCodeRequest, (AgentCode, created: Bool)>, (AgentCode, created: Bool)>
    }

    /// Tuning; the defaults suit a daemon.
    public struct Options: Sendable {
        /// Connections of the query pool (the doorbell has one more).
        public var maximumConnections = 20
        /// Calls one batch may hold.
        public var maximumBatch = 512
        /// Batches of one kind written at once.
        public var concurrentBatches = 2
        /// How long the change log keeps a change; a reader further behind resynchronises.
        public var changeRetention: Duration = .seconds(300)
        /// How long a write may take from logging its changes to its COMMIT
        /// (the log is its last statement): the slack of the pruning check.
        public var commitDelay: Duration = .seconds(10)
        /// How often the doorbell's connection proves it is alive, and how long it may take.
        public var heartbeat: Duration = .milliseconds(500)
        public var heartbeatTimeout: Duration = .seconds(2)

        public init() {}
    }

    private init(
        url: PostgresURL, schema: String, client: PostgresClient, clientTask: Task<Void, Never>, doorbell: PostgresDoorbell,
        logger: Logger, options: Options
    ) {
        self.url = url
        self.schema = schema
        self.client = client
        self.clientTask = clientTask
        self.doorbell = doorbell
        self.logger = logger
        self.commitDelay = options.commitDelay
        let batch = options.maximumBatch
        let concurrency = options.concurrentBatches
        let unbound = Unbound()
        func batcher<Input, Output>(
            _ write: @escaping @Sendable ([Input]) async throws -> [Result<Output, any Error>]
        ) -> WriteBatcher<Input, Output> {
            // While the server is known to be unreachable, batched writes fail at once.
            WriteBatcher(
                maximumBatch: batch, concurrency: concurrency,
                refusal: { doorbell.outage.map { StoreError.unavailable($0) } }, write: write)
        }
        batchers = Batchers(
            codeInserts: batcher { try await unbound.store.insertCodes($0) },
            redemptions: batcher { try await unbound.store.redeemBatch($0) },
            assignments: batcher { try await unbound.store.assignBatch($0) },
            agentCodes: batcher { try await unbound.store.createAgentCodes($0) })
        unbound.bind(self)
    }

    /// Connects to the server `url` names, brings the schema up to date and
    /// starts listening for other writers' changes. Throws
    /// `StoreError.unavailable` when the server cannot be reached.
    public static func open(url: PostgresURL, options: Options = Options(), logger: Logger) async throws -> PostgresStore {
        // A connection of its own first: a server that is not there fails
        // here at once (the pool would keep trying), and migrations need one
        // connection throughout.
        let schema: String
        do {
            let connection = try await PostgresConnection.connect(
                configuration: try url.connectionConfiguration(), id: 0, logger: logger)
            do {
                schema = try await PostgresSchema.migrate(connection, logger: logger)
                try? await connection.close()
            } catch {
                try? await connection.close()
                throw error
            }
        } catch {
            throw PostgresErrors.storeError(error)
        }
        var configuration = try url.clientConfiguration()
        configuration.options.maximumConnections = options.maximumConnections
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let clientTask = Task { await client.run() }
        do {
            var doorbellURL = url
            doorbellURL.applicationName += " doorbell"
            let doorbell = PostgresDoorbell(
                configuration: try doorbellURL.connectionConfiguration(), channel: PostgresSchema.doorbellChannel(schema: schema),
                heartbeat: options.heartbeat, heartbeatTimeout: options.heartbeatTimeout, logger: logger)
            try await doorbell.start()
            let store = PostgresStore(
                url: url, schema: schema, client: client, clientTask: clientTask, doorbell: doorbell, logger: logger,
                options: options)
            store.startPruning(retention: options.changeRetention)
            return store
        } catch {
            clientTask.cancel()
            await clientTask.value
            throw PostgresErrors.storeError(error)
        }
    }

    /// Writes what is queued, waits for calls under way, then closes every
    /// connection; later calls throw `StoreError.closed`.
    public func close() async {
        await batchers.codeInserts.close()
        await batchers.redemptions.close()
        await batchers.assignments.close()
        await batchers.agentCodes.close()
        await gate.close()
        let pruner = pruneTask.withLock { $0 }
        pruner?.cancel()
        await pruner?.value
        await doorbell.stop()
        clientTask.cancel()
        await clientTask.value
    }

    // MARK: Running statements

    /// Runs `body` as one store operation: refused once the store is closed,
    /// fast while the server is known to be unreachable, and with its errors
    /// as `StoreError`s.
    func operation<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await gated(body)
        } catch {
            throw PostgresErrors.storeError(error)
        }
    }

    /// `operation` with the errors as they came.
    func gated<T>(_ body: () async throws -> T) async throws -> T {
        try gate.enter()
        defer { gate.leave() }
        if let outage = doorbell.outage { throw StoreError.unavailable(outage) }
        return try await body()
    }

    /// A read: every row. (Not for writes a caller is told of: a statement
    /// committing by itself is answered before its commit; see `writeBatch`.)
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await operation { try await collect(client.query(query, logger: logger)) }
    }

    /// One write: a transaction around `body`, ended by the change log of
    /// what it noted in `transaction.changes`, then COMMIT. With an
    /// idempotency claim in `options`, the key is claimed first (a live record
    /// under it: `StoreError.replay`, nothing written) and the answer saved
    /// after, in the same transaction. A write still waiting at its deadline
    /// is not started. A deadlock or serialization failure runs it again (at
    /// most three times in all).
    func write<T: Sendable>(
        options: WriteOptions<T> = .plain, _ body: (inout WriteTransaction) async throws -> T
    ) async throws -> T {
        try await operation { try await rawWrite(options: options, body) }
    }

    /// `write` without turning errors into `StoreError`s: batches look at the
    /// server's own error to decide what to retry.
    func rawWrite<T: Sendable>(
        options: WriteOptions<T> = .plain, _ body: (inout WriteTransaction) async throws -> T
    ) async throws -> T {
        guard !options.deadline.hasPassed else { throw StoreError.deadlineExceeded }
        var attempt = 1
        while true {
            do {
                return try await client.withConnection { connection in
                    try await WriteTransaction.run(on: connection, logger: logger) { transaction in
                        guard let claim = options.idempotency else { return try await body(&transaction) }
                        if let first = try await transaction.claim([ClaimRow(claim)])[0] { throw StoreError.replay(first) }
                        let result = try await body(&transaction)
                        let record = claim.record(for: result)
                        try await transaction.settle(
                            keep: record.map { [$0] } ?? [], drop: record == nil ? [ClaimRow(claim)] : [])
                        return result
                    }
                }
            } catch  where PostgresErrors.isRetryable(error) && attempt < 3 {
                attempt += 1
            }
        }
    }

    /// Reads on one connection in one REPEATABLE READ snapshot: what they
    /// read agrees, whatever commits meanwhile.
    func snapshotRead<T>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await operation {
            try await client.withConnection { connection in
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    let value = try await body(connection)
                    try await connection.query("COMMIT", logger: logger)
                    return value
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    // MARK: The change log's upkeep

    private func startPruning(retention: Duration) {
        let task = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(10))
                guard let self, !Task.isCancelled else { return }
                do {
                    _ = try await self.pruneChanges(olderThan: retention)
                } catch {
                    self.logger.debug("change log pruning failed", metadata: ["error": "\(error)"])
                }
            }
        }
        pruneTask.withLock { $0 = task }
    }
}

func collect(_ rows: PostgresRowSequence) async throws -> [PostgresRow] {
    var collected: [PostgresRow] = []
    for try await row in rows { collected.append(row) }
    return collected
}

/// The store a batcher writes through, set right after the store is made
/// (the batchers are made in its initialiser, before `self` can be captured).
/// Weak: the store owns the batchers, whose closures hold this.
private final class Unbound: Sendable {
    private struct Reference: @unchecked Sendable { weak var store: PostgresStore? }
    private let stored = Mutex(Reference())
    func bind(_ store: PostgresStore) { stored.withLock { $0.store = store } }
    var store: PostgresStore {
        get throws {
            guard let store = stored.withLock({ $0.store }) else { throw StoreError.closed }
            return store
        }
    }
}
