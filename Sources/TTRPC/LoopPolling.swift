import Synchronization

/// Whether an event loop polls, awake, for the answer to a call placed on it
/// instead of sleeping in `epoll_wait` until the answer wakes it.
///
/// A lone durable write is answered from the store's thread after its fsync,
/// and a loop asleep by then must be woken from that thread: with the loop
/// polling instead, a sequential create's p50 went from 273 to 208 µs here,
/// for about 100 µs more CPU per call (BENCHMARKS.md, session 18). So while
/// the server's only call in flight waits on a loop, that loop polls for up
/// to `budget`, yielding between looks. With more calls in flight it never
/// polls: other calls keep the loops busy, and polling beside them took
/// their CPU (four sequential callers: 0.80× the calls).
final class LoopPolling: Sendable {
    static let budget = Duration.microseconds(250)

    /// Calls whose task has not ended, on every connection of the server
    /// (answered from memory on the loop, a call has none).
    private let callsInFlight = Atomic<Int>(0)
    /// Polls begun, for tests.
    private let pollsBegun = Atomic<Int>(0)

    init() {}

    func callStarted() {
        callsInFlight.add(1, ordering: .relaxed)
    }

    func callEnded() {
        callsInFlight.subtract(1, ordering: .relaxed)
    }

    /// True when exactly one call is in flight: the caller's, if it has one.
    var oneCallInFlight: Bool { callsInFlight.load(ordering: .relaxed) == 1 }

    /// Calls in flight, for tests.
    var calls: Int { callsInFlight.load(ordering: .relaxed) }

    func pollBegan() {
        pollsBegun.add(1, ordering: .relaxed)
    }

    var polls: Int { pollsBegun.load(ordering: .relaxed) }
}
