import CoreMetrics
import Synchronization

/// What the server counts: open connections and, per method, calls, errors
/// and latency. Admin tooling reads it; the connection handlers write it; the
/// same figures go to swift-metrics under `Label`'s names.
public final class ServerMetrics: Sendable {
    /// The swift-metrics labels the server reports under; a daemon's metrics
    /// backend may add its own prefix.
    public enum Label {
        /// Counter per service and method.
        public static let calls = "rpc_calls_total"
        /// Counter per service and method: calls answered with a non-OK status.
        public static let errors = "rpc_errors_total"
        /// Timer per service and method: receipt to response.
        public static let latency = "rpc_latency_seconds"
        /// Gauge per service and method: the slowest call so far, in seconds.
        public static let slowest = "rpc_latency_max_seconds"
        /// Meter: open connections.
        public static let connections = "connections"
    }

    private let openConnections = Atomic<Int>(0)
    private let openConnectionsMeter = Meter(label: Label.connections)
    private let byMethod = Mutex<[String: MethodMetrics]>([:])

    public init() {}

    public var connections: Int { openConnections.load(ordering: .relaxed) }

    /// Returns the number open, this one included.
    func connectionOpened() -> Int {
        openConnectionsMeter.increment()
        return openConnections.add(1, ordering: .relaxed).newValue
    }

    func connectionClosed() {
        openConnectionsMeter.decrement()
        openConnections.subtract(1, ordering: .relaxed)
    }

    /// The metrics of a method, created on first use (at registration).
    func metrics(service: String, method: String) -> MethodMetrics {
        byMethod.withLock { all in
            let key = service + "/" + method
            if let existing = all[key] { return existing }
            let created = MethodMetrics(service: service, method: method)
            all[key] = created
            return created
        }
    }

    /// Every method called at least once, ordered by service and method.
    public func snapshot() -> [MethodMetrics.Snapshot] {
        byMethod.withLock { Array($0.values) }
            .map { $0.snapshot() }
            .filter { $0.count > 0 }
            .sorted { ($0.service, $0.method) < ($1.service, $1.method) }
    }
}
