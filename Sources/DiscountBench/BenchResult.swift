/// What one run measured; `--json` prints it as is.
public struct BenchResult: Codable, Sendable, Equatable {
    public var scenario: BenchScenario
    /// "discountd" or "go-echo" (the same payloads sent to bench.Echo/Echo).
    public var target: String
    public var connections: Int
    public var inFlight: Int
    /// Calls answered in the measured window (after the warm-up).
    public var calls: UInt64
    /// Seconds of the measured window.
    public var seconds: Double
    public var callsPerSecond: Double
    public var latency: LatencySummary
    /// Failed calls in the measured window, by status name (e.g. "RESOURCE_EXHAUSTED").
    public var errors: [String: UInt64]
    /// Calls sent in all, warm-up and drain included.
    public var totalCalls: UInt64
    /// Why the run ended early, if it did (e.g. the agents set up for first-time calls ran out).
    public var stoppedEarly: String?

    enum CodingKeys: String, CodingKey {
        case scenario, target, connections, calls, seconds, latency, errors
        case inFlight = "in_flight", callsPerSecond = "calls_per_s", totalCalls = "total_calls"
        case stoppedEarly = "stopped_early"
    }

    public init(
        scenario: BenchScenario, target: String, connections: Int, inFlight: Int, calls: UInt64, seconds: Double,
        latency: LatencySummary, errors: [String: UInt64], totalCalls: UInt64, stoppedEarly: String? = nil
    ) {
        self.scenario = scenario
        self.target = target
        self.connections = connections
        self.inFlight = inFlight
        self.calls = calls
        self.seconds = seconds
        self.callsPerSecond = seconds > 0 ? Double(calls) / seconds : 0
        self.latency = latency
        self.errors = errors
        self.totalCalls = totalCalls
        self.stoppedEarly = stoppedEarly
    }

    public var errorCount: UInt64 { errors.values.reduce(0, +) }

    /// "4x64"
    public var shape: String { "\(connections)x\(inFlight)" }

    /// The human summary `discountctl bench` prints without `--json`.
    public var formatted: String {
        var lines = [
            "\(scenario.rawValue) against \(target), \(shape) (connections x calls in flight)",
            "  \(TextTable.grouped(UInt64(callsPerSecond.rounded()))) calls/s: \(TextTable.grouped(calls)) calls in "
                + "\(LatencySummary.fixed(seconds, 2)) s",
            "  latency \(latency.formatted)",
        ]
        if errors.isEmpty {
            lines.append("  errors: none")
        } else {
            let list = errors.sorted { $0.key < $1.key }.map { "\($0.key) \(TextTable.grouped($0.value))" }
            lines.append("  errors: " + list.joined(separator: ", "))
        }
        if let stoppedEarly { lines.append("  stopped early: \(stoppedEarly)") }
        return lines.joined(separator: "\n")
    }
}
