import Testing

@testable import DiscountBench

@Suite struct ComparisonTableTests {
    @Test func tablesPadColumnsAndRightAlignNumbers() {
        let table = TextTable(header: ["scenario", "calls/s"], rows: [["health", "1,204"], ["get", "98"]])
        #expect(
            table.render() == """
                scenario  calls/s
                -----------------
                health      1,204
                get            98
                """)
        #expect(TextTable.grouped(1_234_567) == "1,234,567")
        #expect(TextTable.grouped(999) == "999")
    }

    @Test func targetsFollowTheIssue() {
        #expect(Target.of(scenario: "health", shape: "4x64", peer: "go-echo") == .throughputAtLeast(3))
        #expect(Target.of(scenario: "health", shape: "1x1", peer: "go-echo") == .p50AtMost(1))
        #expect(Target.of(scenario: "lookup-discount-code", shape: "1x64", peer: "go-echo") == .throughputAtLeast(2))
        #expect(Target.of(scenario: "create-discount-code", shape: "4x64", peer: "redis-always") == .throughputAtLeast(0.5))
        #expect(Target.of(scenario: "assign-voucher-code", shape: "1x1", peer: "redis-always") == .p50AtMost(1.2))
        // Durable writes against an echo server that writes nothing, or a Redis that is not durable: information.
        #expect(Target.of(scenario: "create-discount-code", shape: "4x64", peer: "go-echo") == nil)
        #expect(Target.of(scenario: "redeem-discount-code", shape: "4x64", peer: "go-echo") == nil)
        #expect(Target.of(scenario: "assign-voucher-code", shape: "4x64", peer: "redis-everysec") == nil)
        #expect(Target.of(scenario: "assign-voucher-code", shape: "4x64", peer: "postgres") == .throughputAtLeast(50))
        #expect(Target.of(scenario: "health", shape: "1x64", peer: "c-floor") == nil)
        #expect(Target.of(scenario: "mixed", shape: "4x64", peer: "go-echo") == nil)
    }

    @Test func bestOfRunsTakesTheFastestAndAddsErrors() {
        let runs = [
            BenchMeasurement(
                scenario: "health", shape: "1x64", server: "discountd", callsPerSecond: 100, p50: 9, p99: 20, errors: 0),
            BenchMeasurement(
                scenario: "health", shape: "1x64", server: "discountd", callsPerSecond: 150, p50: 11, p99: 15, errors: 2),
        ]
        let best = BenchMeasurement.best(of: runs)
        #expect(best.count == 1)
        #expect(best[0].callsPerSecond == 150 && best[0].p50 == 9 && best[0].p99 == 15 && best[0].errors == 2)
    }

    @Test func rowsCarryRatioTargetAndVerdict() {
        let table = Comparison.table([
            BenchMeasurement(
                scenario: "health", shape: "4x64", server: "discountd", callsPerSecond: 900_000, p50: 200, p99: 300, errors: 0),
            BenchMeasurement(scenario: "health", shape: "4x64", server: "go-echo", callsPerSecond: 150_000, p50: 600, p99: 9000),
            BenchMeasurement(scenario: "health", shape: "4x64", server: "c-floor", callsPerSecond: 3_000_000),
            BenchMeasurement(
                scenario: "health", shape: "1x1", server: "discountd", callsPerSecond: 14_000, p50: 60, p99: 140, errors: 0),
            BenchMeasurement(scenario: "health", shape: "1x1", server: "go-echo", callsPerSecond: 12_000, p50: 40, p99: 300),
            BenchMeasurement(
                scenario: "create-discount-code", shape: "4x64", server: "discountd", callsPerSecond: 200_000, p50: 1, p99: 2,
                errors: 3),
            BenchMeasurement(
                scenario: "create-discount-code", shape: "4x64", server: "redis-always", callsPerSecond: 300_000, p50: 1, p99: 2),
            BenchMeasurement(scenario: "rss-2m-codes", shape: "-", server: "discountd", rssMB: 187.25),
        ])
        let rows = table.rows
        #expect(rows.count == 5)
        #expect(
            rows[0] == [
                "health", "4x64", "900,000", "200/300", "0", "go-echo", "150,000", "600/9000", "6.00x", ">= 3.00x", "yes", "",
            ])
        #expect(rows[1][11] == "")
        #expect(rows[1][5] == "c-floor" && rows[1][8] == "0.30x" && rows[1][9] == "" && rows[1][10] == "")
        #expect(rows[2][8] == "p50 1.50x" && rows[2][10] == "NO")
        // above the target's ratio, but calls failed: not met
        #expect(rows[3][8] == "0.67x" && rows[3][9] == ">= 0.50x" && rows[3][10] == "NO")
        #expect(rows[4][2] == "RSS 187.3 MB" && rows[4][9] == "< 200 MB" && rows[4][10] == "yes")
        #expect(table.render().split(separator: "\n").count == 7)
    }

    /// The load-test of 2026-12-05 printed "0.5x >= 0.5x NO" for a ratio of 0.4987.
    @Test func aRatioThatMissesItsLimitNeverPrintsAsReachingIt() {
        func judged(_ ours: Double, _ peer: Double, _ target: Target?) -> (String, String) {
            Comparison.evaluate(
                ours: BenchMeasurement(scenario: "s", shape: "4x64", server: "discountd", callsPerSecond: ours, p50: ours),
                peer: BenchMeasurement(scenario: "s", shape: "4x64", server: "peer", callsPerSecond: peer, p50: peer),
                target: target)
        }
        #expect(judged(132_003, 264_697, .throughputAtLeast(0.5)) == ("0.49x", "NO"))
        #expect(judged(2_996, 1_000, .throughputAtLeast(3)) == ("2.99x", "NO"))
        #expect(judged(1_204.9, 1_000, .p50AtMost(1.2)) == ("p50 1.21x", "NO"))
        // Met, or not judged: to the nearest, as before.
        #expect(judged(666_667, 1_000_000, .throughputAtLeast(0.5)) == ("0.67x", "yes"))
        #expect(judged(1_196, 1_000, .p50AtMost(1.2)) == ("p50 1.20x", "yes"))
        #expect(judged(49_870, 100_000, nil) == ("0.50x", ""))
        // RSS under its limit never reads as at it.
        let rss = Comparison.table([
            BenchMeasurement(scenario: "rss-2m-codes", shape: "-", server: "discountd", rssMB: 199.96)
        ]).rows[0]
        #expect(rss[2] == "RSS 199.9 MB" && rss[10] == "yes")
    }

    @Test func ratiosKeepTwoOrThreeSignificantDigits() {
        #expect(Comparison.ratioText(2.184) == "2.18x")
        #expect(Comparison.ratioText(57.34) == "57.3x")
        #expect(Comparison.ratioText(0.0123) == "0.012x")
        #expect(Comparison.ratioText(412.6) == "413x")
    }
}
