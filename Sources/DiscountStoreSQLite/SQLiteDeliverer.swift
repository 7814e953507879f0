import DiscountStore
import NIOConcurrencyHelpers

/// Tells the callers of committed (or failed) writes, on a thread of its own,
/// so the single writer thread goes straight on to the next transaction.
///
/// Resuming a caller is not free (a continuation resumed, or a completion
/// that queues an event-loop answer, then the job and its captures freed):
/// about a seventh of the writer's time under load, which the writer, the
/// store's one serial resource, is better off without. Batches are told in
/// commit order.
///
/// A transaction of one write with nothing ahead of it is told on the
/// writer's thread instead: one call at a time then wakes two threads around
/// its fsync (event loop, writer), not three.
///
/// `@unchecked Sendable`: `pending`, `telling`, `stopping` and `stopped` are
/// only touched with `lock` held.
final class SQLiteDeliverer: @unchecked Sendable {
    /// A finished job and the error of its transaction (nil: it committed).
    typealias Outcome = (job: any SQLiteWriteJob, batchError: (any Error)?)

    /// Its value: `State` (what the thread or `drainAndStop()` waits for).
    private let lock = ConditionLock(value: State.idle.rawValue)
    private var pending: [[Outcome]] = []
    /// The thread is telling batches it took from `pending`.
    private var telling = false
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

    /// Queues one transaction's outcomes, or tells a lone one at once when
    /// every earlier batch has been told (only the writer calls this, so no
    /// later batch can overtake it).
    func deliver(_ outcomes: [Outcome]) {
        guard !outcomes.isEmpty else { return }
        lock.lock()
        if outcomes.count == 1, pending.isEmpty, !telling, !stopping {
            lock.unlock()
            outcomes[0].job.finish(batchError: outcomes[0].batchError)
            return
        }
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
            telling = !batches.isEmpty
            lock.unlock(withValue: state.rawValue)
            if batches.isEmpty { break }
            for outcomes in batches {
                for outcome in outcomes { outcome.job.finish(batchError: outcome.batchError) }
            }
            lock.lock()
            telling = false
            lock.unlock(withValue: state.rawValue)
        }
        lock.lock()
        stopped = true
        lock.unlock(withValue: state.rawValue)
    }
}
