import NIOCore

/// Runs a call's task on its connection's event loop: the task executor
/// preference (SE-0417) of methods placed `.eventLoop` (see
/// `MethodHandler.Placement`). Each job runs as one event-loop task.
final class EventLoopTaskExecutor: TaskExecutor {
    private let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
