import NIOConcurrencyHelpers
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

    /// Its value: `State` (what the thread or `drainAndStop()` waits for).
    private let lock = ConditionLock(value: State.idle.rawValue)
    private var pending: [[Outcome]] = []
    private var stopping = false
    private var stopped = false

    init() throws {
        try spawnThread(named: "sqlite-ack") { [self] in runLoop() }
    }

    private enum State: Int {
        case idle
        /// Outcomes are queued, or `drainAndStop()` was called.
        case work
        case stopped
    }

    /// The state `pending`, `stopping` and `stopped` make; the lock is held.
    private var state: State { stopped ? .stopped : (!pending.isEmpty || stopping) ? .work : .idle }

    /// Queues one transaction's outcomes.
    func deliver(_ outcomes: [Outcome]) {
        guard !outcomes.isEmpty else { return }
        lock.lock()
        pending.append(outcomes)
        lock.unlock(withValue: state.rawValue)
    }

    /// Delivers everything queued, then stops the thread; returns once it has.
    func drainAndStop() {
        lock.lock()
        stopping = true
        lock.unlock(withValue: state.rawValue)
        lock.lock(whenValue: State.stopped.rawValue)
        lock.unlock()
    }

    private func runLoop() {
        while true {
            lock.lock(whenValue: State.work.rawValue)
            let batches = pending
            pending = []
            lock.unlock(withValue: state.rawValue)
            if batches.isEmpty { break }
            for outcomes in batches {
                for outcome in outcomes { outcome.job.finish(batchError: outcome.batchError) }
            }
        }
        lock.lock()
        stopped = true
        lock.unlock(withValue: state.rawValue)
    }
}
