import NIOCore

/// Runs a call's task on its connection's event loop: the task executor
/// preference (SE-0417) of methods placed `.eventLoop` (see
/// `MethodHandler.Placement`).
///
/// Jobs queue in an inbox drained by one event-loop task, not one task each:
/// when a group commit resumes many calls from the store's thread, their
/// loop wakes once for all of them, and a call's hops on the loop (to a
/// domain actor and back) run in the drain that is already going.
final class EventLoopTaskExecutor: TaskExecutor {
    /// Batches one drain runs before it lets the loop's other work in.
    private static let batchesPerDrain = 16

    private let eventLoop: any EventLoop
    private let jobs = LoopInbox<UnownedJob>()

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        if jobs.put(UnownedJob(job)) { scheduleDrain() }
    }

    private func scheduleDrain() {
        eventLoop.execute { self.runJobs() }
    }

    private func runJobs() {
        let executor = asUnownedTaskExecutor()
        let unfinished = jobs.drain(maxBatches: Self.batchesPerDrain) { $0.runSynchronously(on: executor) }
        if unfinished { scheduleDrain() }
    }
}
