import Testing

@testable import TTRPC

@Suite struct MethodMetricsTests {
    @Test func bucketsBoundTheirValues() {
        for value: UInt64 in [1, 7, 8, 9, 15, 16, 1000, 123_456, 9_999_999, 1 << 40] {
            let index = MethodMetrics.bucket(value)
            #expect(MethodMetrics.upperBound(index) >= value)
            #expect(index == 0 || MethodMetrics.upperBound(index - 1) < value)
        }
    }

    @Test func quantilesAreWithinABucket() {
        let metrics = MethodMetrics(service: "s", method: "m")
        for micros in 1...1000 { metrics.record(nanos: UInt64(micros) * 1000, failed: micros % 100 == 0) }
        let snapshot = metrics.snapshot()
        #expect(snapshot.count == 1000)
        #expect(snapshot.errors == 10)
        #expect(Double(snapshot.p50Nanos) >= 500_000 && Double(snapshot.p50Nanos) <= 500_000 * 1.13)
        #expect(Double(snapshot.p99Nanos) >= 990_000 && snapshot.p99Nanos <= snapshot.maxNanos)
        #expect(snapshot.maxNanos == 1_000_000)
    }
}
