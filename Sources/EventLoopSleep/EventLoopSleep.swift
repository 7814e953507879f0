import NIOCore
import NIOPosix

/// Sleeping on a SwiftNIO event loop's timer rather than `Task.sleep`.
///
/// On Linux `Task.sleep` waits on libdispatch's timer for its clock. Twice in
/// CI that timer stuck under load: its timerfd had expired (`ticks: 1`) while
/// its epoll registration stayed disarmed (`EPOLLONESHOT` spent, no
/// `EPOLLIN`), so no sleeping task in the process ever woke, and the whole
/// test suite waited with no thread busy. The same would freeze the daemon's
/// heartbeats, retries and watchdog. NIO's event loops time scheduled tasks
/// with `epoll_wait`'s own timeout, which has no such state to lose.
public enum EventLoopSleep {
    /// Suspends for `duration` (none when it is zero or less); throws
    /// `CancellationError` as soon as the task is cancelled, like `Task.sleep`.
    public static func sleep(
        for duration: Duration, on loop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    ) async throws {
        try Task.checkCancellation()
        let scheduled = loop.scheduleTask(in: .nanoseconds(nanoseconds(duration))) {}
        try await withTaskCancellationHandler {
            do {
                try await scheduled.futureResult.get()
            } catch EventLoopError.cancelled {
                throw CancellationError()
            }
        } onCancel: {
            scheduled.cancel()
        }
    }

    /// Suspends until `deadline` on the continuous clock.
    public static func sleep(until deadline: ContinuousClock.Instant) async throws {
        try await sleep(for: deadline - .now)
    }

    /// Whole nanoseconds, clamped to 0...Int64.max (a duration's seconds may
    /// be any Int64; NIO's amounts are Int64 nanoseconds).
    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0 else { return 0 }
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return .max }
        let (total, overflow2) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow2 ? .max : max(0, total)
    }
}
