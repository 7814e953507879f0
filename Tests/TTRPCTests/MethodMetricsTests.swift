import CoreMetrics
import MetricsTestKit
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

    @Test func callsAndConnectionsAreReportedToSwiftMetrics() throws {
        let factory = TestMetrics()
        let (server, method) = withMetricsFactory(factory) {
            let server = ServerMetrics()
            return (server, server.metrics(service: "s", method: "m"))
        }
        method.record(nanos: 2_000, failed: false)
        method.record(nanos: 5_000_000, failed: true)
        method.record(nanos: 1_000, failed: false)
        let labels = [("service", "s"), ("method", "m")]
        #expect(try factory.expectCounter(ServerMetrics.Label.calls, labels).totalValue == 3)
        #expect(try factory.expectCounter(ServerMetrics.Label.errors, labels).totalValue == 1)
        #expect(try factory.expectTimer(ServerMetrics.Label.latency, labels).values == [2_000, 5_000_000, 1_000])
        // The slowest so far: set when a call beats it, not by a faster one after.
        #expect(try factory.expectGauge(ServerMetrics.Label.slowest, labels).values == [0.000002, 0.005])

        _ = server.connectionOpened()
        _ = server.connectionOpened()
        server.connectionClosed()
        #expect(try factory.expectMeter(ServerMetrics.Label.connections).lastValue == 1)
    }
}
