import Glibc
import NIOCore
import Synchronization

/// Runs a call's task on its connection's event loop: the task executor
/// preference (SE-0417) of methods placed `.eventLoop` (see
/// `MethodHandler.Placement`).
///
/// Jobs queue in an inbox drained by one event-loop task, not one task each:
/// when a group commit resumes many calls from the store's thread, their
/// loop wakes once for all of them, and a call's hops on the loop (to a
/// domain actor and back) run in the drain that is already going.
///
/// While the daemon's only call in flight is this connection's, the loop
/// polls for its answer after a drain instead of sleeping (`LoopPolling`).
final class EventLoopTaskExecutor: TaskExecutor {
    /// Batches one drain runs before it lets the loop's other work in.
    private static let batchesPerDrain = 16

    private let eventLoop: any EventLoop
    private let jobs = LoopInbox<UnownedJob>()
    private let polling: LoopPolling
    /// This connection's calls placed here, started and not yet ended.
    private let callsInFlight = Atomic<Int>(0)
    /// When the poll going on ends; nil when none is.
    private let pollDeadline: NIOLoopBoundBox<ContinuousClock.Instant?>

    /// Made on `eventLoop`.
    init(_ eventLoop: any EventLoop, polling: LoopPolling) {
        self.eventLoop = eventLoop
        self.polling = polling
        self.pollDeadline = NIOLoopBoundBox(nil, eventLoop: eventLoop)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        if jobs.put(UnownedJob(job)) { scheduleDrain() }
    }

    /// A call's task is about to start here.
    func callStarted() {
        callsInFlight.add(1, ordering: .relaxed)
    }

    /// A call's task has its answer (its last step, on this loop).
    func callEnded() {
        callsInFlight.subtract(1, ordering: .relaxed)
    }

    private func scheduleDrain() {
        eventLoop.execute { self.runJobs() }
    }

    private func runJobs() {
        let executor = asUnownedTaskExecutor()
        let unfinished = jobs.drain(maxBatches: Self.batchesPerDrain) { $0.runSynchronously(on: executor) }
        if unfinished {
            scheduleDrain()
        } else if pollDeadline.value == nil, shouldPoll {
            pollDeadline.value = .now + LoopPolling.budget
            polling.pollBegan()
            eventLoop.execute { self.poll() }
        }
    }

    /// The server's only call in flight is this connection's, placed here.
    private var shouldPoll: Bool {
        callsInFlight.load(ordering: .relaxed) > 0 && polling.oneCallInFlight
    }

    /// One look: a task that runs again at once keeps the loop from
    /// sleeping, and the answer's drain, scheduled from the store's thread,
    /// runs between two looks. Yields so it spins only while no other thread
    /// wants the CPU.
    private func poll() {
        guard let deadline = pollDeadline.value else { return }
        guard shouldPoll, ContinuousClock.now < deadline else {
            pollDeadline.value = nil
            return
        }
        sched_yield()
        eventLoop.execute { self.poll() }
    }
}
