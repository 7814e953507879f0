import DiscountStore
/// Tells the callers of committed (or failed) writes, on a thread of its own,
/// so the single writer thread goes straight on to the next transaction.
///
/// Resuming a caller is not free (a continuation resumed, or a completion
/// that queues an event-loop answer, then the job and its captures freed):
/// about a seventh of the writer's time under load, which the writer, the
/// store's one serial resource, is better off without. Batches are told in
/// commit order.
///
/// `@unchecked Sendable`: `pending`, `stopping` and `stopped` are only
/// touched with `lock` held.
final class SQLiteDeliverer: @unchecked Sendable {
    /// A finished job and the error of its transaction (nil: it committed).
    typealias Outcome = (job: any SQLiteWriteJob, batchError: (any Error)?)

    private let lock = ConditionLock()
    private var pending: [[Outcome]] = []
    private var stopping = false
    private var stopped = false

    init() throws {
        try spawnThread(named: "sqlite-ack") { [self] in runLoop() }
    }

    /// Queues one transaction's outcomes.
    func deliver(_ outcomes: [Outcome]) {
        guard !outcomes.isEmpty else { return }
        lock.withLock {
            pending.append(outcomes)
            if pending.count == 1 { lock.broadcast() }
        }
    }

    /// Delivers everything queued, then stops the thread; returns once it has.
    func drainAndStop() {
        lock.lock()
        defer { lock.unlock() }
        stopping = true
        lock.broadcast()
        while !stopped { lock.wait() }
    }

    private func runLoop() {
        while true {
            let batches: [[Outcome]] = lock.withLock {
                while pending.isEmpty && !stopping { lock.wait() }
                defer { pending = [] }
                return pending
            }
            if batches.isEmpty { break }
            for outcomes in batches {
                for outcome in outcomes { outcome.job.finish(batchError: outcome.batchError) }
            }
        }
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
    }
}
