import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Whether the in-process caches may answer: they may while the change feed
/// was read to the present within the staleness bound. Past it a cache could
/// be missing other daemons' writes, so every cached read goes to the store
/// instead (and fails UNAVAILABLE when the store cannot be reached): late,
/// never stale.
///
/// Checked on every cached read, the event loop's fast path included, so it
/// costs one monotonic clock read and one atomic load.
public final class CacheFreshness: Sendable {
    /// Nil: no bound (a single-writer store, whose caches are always coherent).
    public let bound: Duration?
    private let boundNanos: Int64
    /// Monotonic time the feed was last known to be caught up.
    private let caughtUpNanos: Atomic<Int64>

    /// Caches that never go stale: nobody else writes to the store.
    public static let unbounded = CacheFreshness(bound: nil)

    public init(bound: Duration?) {
        self.bound = bound
        boundNanos = bound.map(Self.nanoseconds) ?? .max
        caughtUpNanos = Atomic(Self.monotonicNanos())
    }

    /// Whether cached entries may be served now.
    public var isFresh: Bool {
        bound == nil || Self.monotonicNanos() - caughtUpNanos.load(ordering: .acquiring) <= boundNanos
    }

    /// How long since the feed was last read to the present.
    public var caughtUpAgo: Duration {
        .nanoseconds(Self.monotonicNanos() - caughtUpNanos.load(ordering: .acquiring))
    }

    /// The feed was read to what was committed before `instant` (a reading
    /// of `now()` taken before the read began), and applied.
    func caughtUp(asOf instant: Int64) {
        // Never moves back: an older read finishing late must not hide a newer one.
        var current = caughtUpNanos.load(ordering: .relaxed)
        while instant > current {
            let (exchanged, original) = caughtUpNanos.compareExchange(
                expected: current, desired: instant, ordering: .acquiringAndReleasing)
            if exchanged { return }
            current = original
        }
    }

    static func monotonicNanos() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }

    static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
