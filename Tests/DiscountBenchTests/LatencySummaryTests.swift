import Foundation
import Testing

@testable import DiscountBench

@Suite struct LatencySummaryTests {
    @Test func percentilesOfAKnownDistribution() {
        var histogram = LatencyHistogram.makeLatency()
        // 1…1000 µs, one call each: p50 = 500 µs, p90 = 900 µs, p99 = 990 µs, p99.9 = 999 µs.
        for microseconds in 1...1000 { _ = histogram.record(UInt64(microseconds) * 1000) }
        let summary = LatencySummary(nanoseconds: histogram)
        #expect(summary.count == 1000)
        #expect(abs(summary.p50 - 500) <= 0.5)
        #expect(abs(summary.p90 - 900) <= 0.9)
        #expect(abs(summary.p99 - 990) <= 1)
        #expect(abs(summary.p999 - 999) <= 1)
        #expect(abs(summary.max - 1000) <= 1)
        #expect(abs(summary.mean - 500.5) <= 0.5)
    }

    @Test func anEmptyHistogramSummarisesToZeros() {
        let summary = LatencySummary(nanoseconds: .makeLatency())
        #expect(summary == LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0))
    }

    @Test func latenciesKeepThreeSignificantDigitsAndAUnit() {
        #expect(LatencySummary.format(7.254) == "7.25 µs")
        #expect(LatencySummary.format(17.26) == "17.3 µs")
        #expect(LatencySummary.format(172.4) == "172 µs")
        #expect(LatencySummary.format(1250) == "1.25 ms")
        #expect(LatencySummary.format(2_500_000) == "2.50 s")
        #expect(LatencySummary.format(0.05) == "0.05 µs")
    }

    @Test func jsonUsesMicrosecondKeys() throws {
        let result = BenchResult(
            scenario: .health, target: "discountd", connections: 4, inFlight: 64, calls: 1000, seconds: 0.5,
            latency: LatencySummary(count: 1000, p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.5),
            errors: ["NOT_FOUND": 2], totalCalls: 1100)
        let text = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        for key in ["\"p50_us\":1", "\"p99_9_us\":4", "\"calls_per_s\":2000", "\"in_flight\":64", "\"NOT_FOUND\":2"] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
        #expect(result.shape == "4x64")
        #expect(result.formatted.contains("errors: NOT_FOUND 2"))
        #expect(result.formatted.contains("2,000 calls/s"))
    }
}
