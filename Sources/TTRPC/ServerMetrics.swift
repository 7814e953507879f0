import Synchronization

/// What the server counts: open connections and, per method, calls, errors
/// and latency. Admin tooling reads it; the connection handlers write it.
public final class ServerMetrics: Sendable {
    private let openConnections = Atomic<Int>(0)
    private let byMethod = Mutex<[String: MethodMetrics]>([:])

    public init() {}

    public var connections: Int { openConnections.load(ordering: .relaxed) }

    /// Returns the number open, this one included.
    func connectionOpened() -> Int { openConnections.add(1, ordering: .relaxed).newValue }
    func connectionClosed() { openConnections.subtract(1, ordering: .relaxed) }

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
