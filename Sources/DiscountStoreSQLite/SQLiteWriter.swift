import CSQLite
import DiscountCore
import DiscountStore
import NIOConcurrencyHelpers
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one writer connection and the dedicated thread that owns it.
///
/// Group commit: callers enqueue jobs; the thread takes everything pending
/// (up to `maxBatchWeight` rows), runs it in one `BEGIN IMMEDIATE … COMMIT`
/// and commits once. A job that fails rolls back only itself: the batch is
/// first tried without savepoints and, if any job fails, run again with a
/// SAVEPOINT per job. Every caller resumes only after COMMIT returned OK, so N
/// concurrent writes cost one fsync. If COMMIT fails, every job in it fails.
/// Callers are told on another thread (`SQLiteDeliverer`), in commit order.
///
/// `@unchecked Sendable`: `pending`, `closing`, `stopped` and `closeWaiters`
/// are only touched with `lock` held; `connection`, `finished` and `polling` are only
/// used by the writer thread once it has started (and by `init` before that).
final class SQLiteWriter: @unchecked Sendable {
    /// A transaction stops taking more jobs once it holds this many rows'
    /// worth, so bulk inserts share the writer instead of holding it for seconds.
    static let maxBatchWeight = 100_000
    /// A job this heavy (a bulk-insert chunk) runs in a transaction of its own:
    /// small writes queued beside it commit before or after it, within their
    /// own deadlines, instead of waiting for its second or so inside its commit.
    static let soloWeight = 1_000
    /// How long the thread polls for the next job before it sleeps, when
    /// `WriterPolling` says to.
    static let pollBudget = Duration.microseconds(150)

    private let connection: SQLiteConnection
    private let checkpointer: SQLiteCheckpointer
    private let spaceGuard: SQLiteSpaceGuard
    /// Its value: whether the thread has something to do (`pending` is not
    /// empty, or `closing`); every change to either sets it.
    private let lock = ConditionLock(value: false)
    /// `lock`'s value, readable without the lock (set beside it, under it).
    private let hasWork = Atomic<Bool>(false)
    private var pending: [any SQLiteWriteJob] = []
    private var closing = false
    private var stopped = false
    private var closeWaiters: [CheckedContinuation<Void, Never>] = []
    private let commitCounter = Atomic<Int>(0)
    private let deliverer: SQLiteDeliverer
    private var polling = WriterPolling()
    /// The current transaction's finished jobs, handed to `deliverer` after it.
    private var finished: [SQLiteDeliverer.Outcome] = []

    /// Takes ownership of `connection` and `checkpointer` and starts the thread.
    init(connection: SQLiteConnection, checkpointer: SQLiteCheckpointer, spaceGuard: SQLiteSpaceGuard) throws {
        self.connection = connection
        self.checkpointer = checkpointer
        self.spaceGuard = spaceGuard
        deliverer = try SQLiteDeliverer()
        checkpointer.attach(to: connection)
        try spawnThread(named: "sqlite-writer") { [self] in runLoop() }
    }

    /// Transactions committed so far (a batch of N jobs counts once).
    var commits: Int { commitCounter.load(ordering: .relaxed) }

    /// Jobs waiting for the thread (tests line up a batch with it).
    var queuedJobs: Int {
        lock.lock()
        defer { lock.unlock() }
        return pending.count
    }

    /// Checkpoint passes so far, by the checkpoint thread and by this one.
    var checkpointPasses: (background: Int, writer: Int) { checkpointer.passes }

    /// Runs `body` on the writer connection inside a transaction and returns
    /// its result once that transaction is durable. A caller cancelled before
    /// its job starts gets `CancellationError` and nothing is written.
    func write<T: Sendable>(
        weight: Int = 1, freesSpace: Bool = false, defersCounts: Bool = false, deadline: WriteDeadline = .never,
        _ body: @escaping @Sendable (SQLiteConnection) throws -> T
    ) async throws -> T {
        try Task.checkCancellation()
        let job = SQLiteTypedWriteJob(
            weight: weight, deadline: deadline, freesSpace: freesSpace, defersCounts: defersCounts, body: body)
        return try await withTaskCancellationHandler {
            // Unsafe: no checking object to allocate (and free on the
            // deliverer's thread) per write. `deliver` runs once (SQLiteWriteJob).
            try await withUnsafeThrowingContinuation { continuation in
                job.deliver = { continuation.resume(with: $0) }
                if !enqueue(job) {
                    job.deliver = nil
                    continuation.resume(throwing: StoreError.closed)
                }
            }
        } onCancel: {
            job.cancel()
        }
    }

    private func enqueue(_ job: any SQLiteWriteJob) -> Bool {
        lock.lock()
        if closing {
            lock.unlock()
            return false
        }
        pending.append(job)
        unlock(hasWork: true)
        return true
    }

    /// Runs what is pending, then checkpoints and closes the connection.
    /// Later writes throw `StoreError.closed`. Safe to call more than once.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if stopped {
                lock.unlock()
                continuation.resume()
                return
            }
            closing = true
            closeWaiters.append(continuation)
            unlock(hasWork: true)
        }
    }

    // MARK: The thread

    private func runLoop() {
        while let batch = nextBatch() {
            commit(batch)
            // Outside any transaction: a full disk is handled before the next
            // batch starts (and before its callers hear of it).
            if finished.contains(where: { $0.job.ranOutOfSpace || $0.batchError as? StoreError == .storageFull }) {
                spaceGuard.diskFilled(connection)
            } else {
                spaceGuard.afterCommit()
            }
            deliverer.deliver(finished)
            finished = []
            checkpointer.finish(on: connection, writerIsIdle: { isIdle })
            if polling.shouldPoll(afterTransactionOf: batch.count) { pollBeforeSleeping() }
        }
        deliverer.drainAndStop()
        // Closing and drained: leave a tidy file behind (WAL folded back).
        checkpointer.stop()
        checkpointer.detach(from: connection)
        _ = try? connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.close()
        lock.lock()
        stopped = true
        let waiters = closeWaiters
        closeWaiters = []
        lock.unlock()
        for waiter in waiters { waiter.resume() }
    }

    /// Nothing is queued (a checkpoint now delays no caller already waiting).
    private var isIdle: Bool {
        lock.lock()
        defer { lock.unlock() }
        return pending.isEmpty
    }

    private func unlock(hasWork value: Bool) {
        hasWork.store(value, ordering: .relaxed)
        lock.unlock(withValue: value)
    }

    /// Yields between looks, so it spins only while no other thread wants the CPU
    /// (without that, four sequential callers over two cores lost 6%, measured).
    private func pollBeforeSleeping() {
        let deadline = ContinuousClock.now + Self.pollBudget
        while !hasWork.load(ordering: .relaxed), ContinuousClock.now < deadline { sched_yield() }
        polling.polled(caughtJob: hasWork.load(ordering: .relaxed))
    }

    /// Blocks until there is work; nil once closing and nothing is left.
    private func nextBatch() -> [any SQLiteWriteJob]? {
        lock.lock(whenValue: true)
        defer { unlock(hasWork: !pending.isEmpty || closing) }
        if pending.isEmpty { return nil }
        var weight = 0
        var count = 0
        for job in pending {
            let heavy = job.weight >= Self.soloWeight
            if count > 0 && (heavy || weight + job.weight > Self.maxBatchWeight) { break }
            weight += job.weight
            count += 1
            if heavy { break }
        }
        if count == pending.count {
            defer { pending = [] }
            return pending
        }
        defer { pending.removeFirst(count) }
        return Array(pending.prefix(count))
    }

    // MARK: One transaction

    /// Both ways check each job as it starts (`refusal(of:)`): one whose
    /// caller is gone or whose deadline passed is never run.
    private func commit(_ batch: [any SQLiteWriteJob]) {
        if batch.count > 1, commitOptimistically(batch) { return }
        commitWithSavepoints(batch)
    }

    /// The common case, cheaply: every job in one transaction without
    /// savepoints (a savepoint makes SQLite copy each page a job touches
    /// first, which costs more than the job). Returns false, with the
    /// transaction rolled back and no caller told anything, as soon as one
    /// job fails: the batch is then run again with a savepoint per job.
    /// (Jobs are closures over the database alone, so running one again
    /// from the same state is safe.)
    private func commitOptimistically(_ live: [any SQLiteWriteJob]) -> Bool {
        do {
            try beginTransaction()
        } catch {
            return false
        }
        // Jobs whose time ran out while earlier jobs of the batch ran: not
        // started, and told so only once the batch's fate is known.
        var refusals: [ObjectIdentifier: any Error] = [:]
        for job in live {
            if let refusal = refusal(of: job) {
                refusals[ObjectIdentifier(job)] = refusal
                continue
            }
            let ok = (try? prepare(toRun: job)) != nil && job.run(on: connection)
            if !ok || connection.isAutocommit {
                if !connection.isAutocommit { _ = try? step("ROLLBACK") }
                return false
            }
        }
        do {
            try commitTransaction()
            for job in live { finish(job, refusals[ObjectIdentifier(job)]) }
        } catch {
            let error = StoreError.wrapping(error)
            if !connection.isAutocommit { _ = try? step("ROLLBACK") }
            for job in live { finish(job, refusals[ObjectIdentifier(job)] ?? error) }
        }
        return true
    }

    /// A savepoint per job (when there are several), so a job that fails
    /// rolls back only itself.
    private func commitWithSavepoints(_ live: [any SQLiteWriteJob]) {
        let useSavepoints = live.count > 1
        var inTransaction = false
        var succeeded: [any SQLiteWriteJob] = []
        var failed: [any SQLiteWriteJob] = []

        /// Throws away the transaction: the jobs that had succeeded in it lost their work.
        func abandon(_ error: any Error) {
            if !connection.isAutocommit { _ = try? step("ROLLBACK") }
            inTransaction = false
            for job in succeeded { finish(job, error) }
            succeeded = []
        }

        for job in live {
            if let refusal = refusal(of: job) {
                finish(job, refusal)
                continue
            }
            if !inTransaction {
                do {
                    try beginTransaction()
                    inTransaction = true
                } catch {
                    finish(job, StoreError.wrapping(error))
                    continue
                }
            }
            do {
                try prepare(toRun: job)
            } catch {
                // The counts deferred by the jobs before it are not written: they cannot commit.
                finish(job, StoreError.wrapping(error))
                abandon(StoreError.wrapping(error))
                continue
            }
            if useSavepoints {
                do {
                    try step("SAVEPOINT job")
                } catch {
                    finish(job, StoreError.wrapping(error))
                    abandon(StoreError.wrapping(error))
                    continue
                }
            }
            let ok = job.run(on: connection)
            if connection.isAutocommit {
                // SQLite rolled the whole transaction back on its own (I/O
                // error, disk full…): nothing done since BEGIN survives.
                let error =
                    job.ranOutOfSpace
                    ? StoreError.storageFull : StoreError.failure("the transaction was rolled back by SQLite")
                abandon(error)
                finish(job, error)
                continue
            }
            if ok {
                if useSavepoints {
                    do {
                        try step("RELEASE job")
                    } catch {
                        finish(job, StoreError.wrapping(error))
                        abandon(StoreError.wrapping(error))
                        continue
                    }
                }
                succeeded.append(job)
            } else {
                failed.append(job)
                connection.voucherReadAhead.jobRolledBack()
                connection.deferredCounts.jobRolledBack()
                if useSavepoints {
                    do {
                        try step("ROLLBACK TO job")
                        try step("RELEASE job")
                    } catch {
                        abandon(StoreError.wrapping(error))
                    }
                } else {
                    abandon(StoreError.failure("rolled back"))
                }
            }
        }

        if inTransaction {
            if succeeded.isEmpty {
                _ = try? step("ROLLBACK")
            } else {
                do {
                    try commitTransaction()
                } catch {
                    abandon(StoreError.wrapping(error))
                }
            }
        }
        for job in succeeded { finish(job, nil) }
        for job in failed { finish(job, nil) }
    }

    /// Why `job` must not start now, if it must not: its caller's task was
    /// cancelled, or its deadline passed while it waited (behind other
    /// transactions, or behind the jobs before it in this one), or the disk
    /// is full and it would not free space.
    private func refusal(of job: any SQLiteWriteJob) -> (any Error)? {
        if job.isCancelled { return CancellationError() }
        if job.deadline.hasPassed { return StoreError.deadlineExceeded }
        return spaceGuard.refusal(freesSpace: job.freesSpace)
    }

    /// Records `job` as finished, to be told after this transaction.
    private func finish(_ job: any SQLiteWriteJob, _ batchError: (any Error)?) {
        finished.append((job, batchError))
    }

    /// Opens a batch's transaction. Codes read ahead stay good only if the
    /// transaction before committed (`VoucherReadAhead`).
    private func beginTransaction() throws {
        try step("BEGIN IMMEDIATE")
        connection.voucherReadAhead.transactionBegan()
        connection.deferredCounts.transactionBegan()
    }

    /// Before `job` runs: the counts deferred so far are written out (and
    /// the rows kept with them forgotten) unless it defers its own too: any
    /// other job may read or change them.
    private func prepare(toRun job: any SQLiteWriteJob) throws {
        let counts = connection.deferredCounts
        if !job.defersCounts { try counts.write(on: connection) }
        counts.jobStarting()
    }

    /// Writes the counts the batch deferred, commits, and counts the commit.
    private func commitTransaction() throws {
        let counts = connection.deferredCounts
        if !counts.isEmpty { try counts.write(on: connection) }
        try step("COMMIT")
        connection.voucherReadAhead.transactionCommitted()
        commitCounter.add(1, ordering: .relaxed)
    }

    /// Runs one cached transaction-control statement.
    private func step(_ sql: String) throws {
        try connection.withStatement(sql) { try $0.run() }
    }
}
