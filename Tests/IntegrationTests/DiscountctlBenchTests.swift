import Foundation
import Testing

/// `discountctl bench` as a process against a live daemon: a short run, checked through its JSON.
@Suite struct DiscountctlBenchTests {
    @Test func healthRunReportsEveryCallAndItsPercentiles() async throws {
        try await withDaemon { daemon in
            let result = try await discountctl([
                "bench", "--socket", daemon.socketPath, "--scenario", "health", "--calls", "200", "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(json["scenario"] as? String == "health")
            #expect(json["target"] as? String == "discountd")
            #expect(json["calls"] as? Int == 200)
            #expect(json["total_calls"] as? Int == 200)
            #expect((json["errors"] as? [String: Any])?.isEmpty == true)
            #expect((json["calls_per_s"] as? Double ?? 0) > 0)
            let latency = try #require(json["latency"] as? [String: Any])
            let percentiles = ["p50_us", "p90_us", "p99_us", "p99_9_us", "max_us"].map { latency[$0] as? Double ?? -1 }
            #expect(percentiles.allSatisfy { $0 > 0 })
            #expect(percentiles == percentiles.sorted(), "percentiles must not decrease: \(percentiles)")
            #expect(latency["count"] as? Int == 200)
        }
    }

    @Test func aWriteScenarioSetsUpItsFixturesAndCountsFailuresByStatus() async throws {
        try await withDaemon { daemon in
            // Ten voucher codes for 30 assignments: the last 20 find the pool exhausted.
            let result = try await discountctl([
                "bench", "run", "--socket", daemon.socketPath, "--scenario", "assign-voucher-code", "--calls", "30",
                "--voucher-codes", "10", "--in-flight", "4", "--json",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(json["calls"] as? Int == 30)
            #expect((json["errors"] as? [String: Any])?["RESOURCE_EXHAUSTED"] as? Int == 20)
        }
    }
}
