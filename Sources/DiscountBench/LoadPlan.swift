/// One call of a run: where it goes and the payload template it carries.
public struct BenchCall: Sendable {
    public var service: String
    public var method: String
    public var template: PayloadTemplate

    public init(service: String, method: String, template: PayloadTemplate) {
        self.service = service
        self.method = method
        self.template = template
    }
}

/// How hard and how long to load one server.
public struct LoadPlan: Sendable {
    public enum Stop: Sendable, Equatable {
        /// Measure for this many seconds after the warm-up.
        case duration(Double)
        /// Measure exactly this many calls after the warm-up.
        case calls(UInt64)
    }

    public var connections: Int
    public var inFlight: Int
    public var stop: Stop
    /// Seconds of calls sent before measuring starts (not counted).
    public var warmup: Double
    /// Mixed into every unique value: runs with distinct ids never repeat a value.
    public var runID: UInt64
    /// Base of the per-call varint slot (see `PayloadTemplate`).
    public var varintBase: Int64
    /// Sequence numbers at or above this are not sent (the run stops early),
    /// e.g. when only that many agents were set up for first-time calls.
    public var sequenceLimit: UInt64?
    /// Sent with every call (e.g. `authorization`).
    public var metadata: [(String, String)]
    /// The call for sequence number `n` (unique across the run's connections).
    public var call: @Sendable (UInt64) -> BenchCall

    public init(
        connections: Int, inFlight: Int, stop: Stop, warmup: Double = 0, runID: UInt64, varintBase: Int64 = 0,
        sequenceLimit: UInt64? = nil, metadata: [(String, String)] = [], call: @escaping @Sendable (UInt64) -> BenchCall
    ) {
        self.connections = connections
        self.inFlight = inFlight
        self.stop = stop
        self.warmup = warmup
        self.runID = runID
        self.varintBase = varintBase
        self.sequenceLimit = sequenceLimit
        self.metadata = metadata
        self.call = call
    }

    /// Measured calls connection `index` makes in a `.calls` run: an even share.
    public func callQuota(connection index: Int) -> UInt64? {
        guard case .calls(let total) = stop else { return nil }
        let count = UInt64(connections)
        return total / count + (UInt64(index) < total % count ? 1 : 0)
    }
}
