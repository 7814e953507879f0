import CoreMetrics
import Synchronization

/// Calls, errors and a latency histogram of one method.
///
/// Latencies go into log-linear buckets (8 per power of two, so a quantile is
/// within 12.5%), kept under a per-method lock: one short critical section per call.
/// Each call is also reported to swift-metrics (`ServerMetrics.Label`), labelled
/// by service and method, for whatever backend the process bootstrapped.
public final class MethodMetrics: Sendable {
    public let service: String
    public let method: String
    private let state = Mutex(Histogram())
    private let calls: Counter
    private let errors: Counter
    private let latency: CoreMetrics.Timer
    private let slowest: Gauge

    struct Histogram {
        var count: UInt64 = 0
        var errors: UInt64 = 0
        var maxNanos: UInt64 = 0
        var buckets = [UInt64](repeating: 0, count: 64 * 8)
    }

    public struct Snapshot: Sendable, Equatable {
        public var service: String
        public var method: String
        public var count: UInt64
        public var errors: UInt64
        public var p50Nanos: UInt64
        public var p90Nanos: UInt64
        public var p99Nanos: UInt64
        public var maxNanos: UInt64
    }

    init(service: String, method: String) {
        self.service = service
        self.method = method
        let dimensions = [("service", service), ("method", method)]
        calls = Counter(label: ServerMetrics.Label.calls, dimensions: dimensions)
        errors = Counter(label: ServerMetrics.Label.errors, dimensions: dimensions)
        latency = CoreMetrics.Timer(label: ServerMetrics.Label.latency, dimensions: dimensions)
        slowest = Gauge(label: ServerMetrics.Label.slowest, dimensions: dimensions)
    }

    func record(nanos: UInt64, failed: Bool) {
        let bucket = Self.bucket(nanos)
        state.withLock { histogram in
            histogram.count += 1
            if failed { histogram.errors += 1 }
            if nanos > histogram.maxNanos {
                histogram.maxNanos = nanos
                slowest.record(Double(nanos) / 1e9)
            }
            histogram.buckets[bucket] += 1
            // Reported under this lock, so the backend's own lock and atomics
            // are never contended: taken apart, the two contended locks cost
            // Health.Check on 4 connections about a quarter of its calls per
            // second. It also keeps a slower call's maximum from being
            // overwritten by a faster one's.
            calls.increment()
            if failed { errors.increment() }
            latency.recordNanoseconds(Int64(clamping: nanos))
        }
    }

    public func snapshot() -> Snapshot {
        let histogram = state.withLock { $0 }
        func quantile(_ q: Double) -> UInt64 {
            guard histogram.count > 0 else { return 0 }
            let rank = UInt64((Double(histogram.count) * q).rounded(.up))
            var seen: UInt64 = 0
            for (index, count) in histogram.buckets.enumerated() {
                seen += count
                if seen >= max(rank, 1) { return min(Self.upperBound(index), histogram.maxNanos) }
            }
            return histogram.maxNanos
        }
        return Snapshot(
            service: service, method: method, count: histogram.count, errors: histogram.errors,
            p50Nanos: quantile(0.5), p90Nanos: quantile(0.9), p99Nanos: quantile(0.99), maxNanos: histogram.maxNanos)
    }

    static func bucket(_ nanos: UInt64) -> Int {
        let value = max(nanos, 1)
        let exponent = 63 - value.leadingZeroBitCount
        guard exponent >= 3 else { return Int(value) }
        let sub = Int((value >> UInt64(exponent - 3)) & 7)
        return exponent * 8 + sub
    }

    /// The largest value that falls in `index`: values of a bucket share their
    /// top four bits, `1` then the three bits of `sub`.
    static func upperBound(_ index: Int) -> UInt64 {
        let exponent = index / 8
        // Values below 8 have a bucket each; buckets 8..<24 stay empty.
        guard exponent >= 3 else { return UInt64(min(index, 7)) }
        let sub = UInt64(index % 8)
        return ((9 + sub) << UInt64(exponent - 3)) - 1
    }
}
