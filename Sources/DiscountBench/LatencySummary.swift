import Histogram

/// Percentiles of one run's call latencies, in microseconds.
public struct LatencySummary: Codable, Sendable, Equatable {
    public var count: UInt64
    public var p50: Double
    public var p90: Double
    public var p99: Double
    public var p999: Double
    public var max: Double
    public var mean: Double

    enum CodingKeys: String, CodingKey {
        case count, mean
        case p50 = "p50_us", p90 = "p90_us", p99 = "p99_us", p999 = "p99_9_us", max = "max_us"
    }

    public init(count: UInt64, p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        (self.count, self.p50, self.p90, self.p99, self.p999, self.max, self.mean) = (count, p50, p90, p99, p999, max, mean)
    }

    /// Summarises a histogram of latencies recorded in nanoseconds.
    public init(nanoseconds histogram: LatencyHistogram) {
        let us = { (ns: UInt64) in Double(ns) / 1000 }
        if histogram.totalCount == 0 {
            self.init(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0)
            return
        }
        self.init(
            count: histogram.totalCount,
            p50: us(histogram.valueAtPercentile(50)), p90: us(histogram.valueAtPercentile(90)),
            p99: us(histogram.valueAtPercentile(99)), p999: us(histogram.valueAtPercentile(99.9)),
            max: us(histogram.max), mean: histogram.mean / 1000)
    }

    /// "p50 17.2 µs  p90 …" for people.
    public var formatted: String {
        "p50 \(Self.format(p50))  p90 \(Self.format(p90))  p99 \(Self.format(p99))  "
            + "p99.9 \(Self.format(p999))  max \(Self.format(max))"
    }

    /// A latency with a unit that keeps three significant digits: 7.25 µs, 172 µs, 1.25 ms, 2.50 s.
    public static func format(_ microseconds: Double) -> String {
        func three(_ value: Double) -> String {
            if value >= 100 { return String(Int(value.rounded())) }
            if value >= 10 { return fixed(value, 1) }
            return fixed(value, 2)
        }
        if microseconds >= 1_000_000 { return three(microseconds / 1_000_000) + " s" }
        if microseconds >= 1000 { return three(microseconds / 1000) + " ms" }
        return three(microseconds) + " µs"
    }

    static func fixed(
        _ value: Double, _ decimals: Int, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero
    ) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * scale).rounded(rule))
        let whole = scaled / Int(scale)
        var fraction = String(scaled % Int(scale))
        while fraction.count < decimals { fraction = "0" + fraction }
        return "\(whole).\(fraction)"
    }
}

/// HdrHistogram of latencies in nanoseconds, up to 10 minutes, three
/// significant digits (about 240 KB: one per connection, merged at the end).
public typealias LatencyHistogram = Histogram<UInt64>

extension LatencyHistogram {
    public static func makeLatency() -> LatencyHistogram {
        var histogram = LatencyHistogram(
            lowestDiscernibleValue: 1, highestTrackableValue: 600_000_000_000, numberOfSignificantValueDigits: .three)
        histogram.autoResize = true
        return histogram
    }
}
