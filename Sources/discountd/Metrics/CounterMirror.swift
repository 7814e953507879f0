import CoreMetrics
import Synchronization

/// A swift-metrics counter that follows a count kept elsewhere (a cache's
/// hits, the kernel's CPU time): each `update` adds what the count grew by
/// since the one before.
final class CounterMirror: Sendable {
    private let counter: FloatingPointCounter
    private let last = Mutex<Double>(0)

    init(label: String) {
        counter = FloatingPointCounter(label: label)
    }

    func update(to total: Double) {
        let growth = last.withLock { last in
            defer { last = max(last, total) }
            return total - last
        }
        if growth > 0 { counter.increment(by: growth) }
    }
}
