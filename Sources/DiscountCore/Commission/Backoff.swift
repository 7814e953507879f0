/// Exponential backoff with full jitter: attempt n waits a uniform random time
/// in [0, min(cap, base·2ⁿ)], so retries from many codes do not arrive in lockstep.
public struct Backoff: Sendable, Hashable {
    public var baseSeconds: Double
    public var capSeconds: Double

    public init(baseSeconds: Double = 0.5, capSeconds: Double = 30) {
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }

    /// The ceiling of attempt `attempt` (0-based) before jitter.
    public func ceiling(attempt: Int) -> Double {
        min(capSeconds, baseSeconds * Double(1 << min(max(attempt, 0), 30)))
    }

    public func delay<G: RandomNumberGenerator>(attempt: Int, using generator: inout G) -> Double {
        Double.random(in: 0...ceiling(attempt: attempt), using: &generator)
    }

    public func delay(attempt: Int) -> Double {
        var generator = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &generator)
    }
}
