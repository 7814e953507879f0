import AsyncHTTPClient
import DiscountClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// `discountd --metrics-listen`: GET /metrics in the Prometheus text format,
/// read back by the Prometheus project's own parser; the figures of
/// `discountctl stats --prometheus`, latencies as histograms, and the process metrics.
@Suite struct MetricsEndpointTests {
    @Test func metricsCarryTheStatsFiguresLatencyHistogramsAndTheProcess() async throws {
        let port = try freeLoopbackPort()
        try await withDaemon(arguments: ["--metrics-listen", "127.0.0.1:\(port)"]) { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule(title: "Scraped")
            for _ in 0..<3 { _ = try await client.getPriceRule(id: rule.id) }
            await expectRPCError(.notFound) { try await client.getPriceRule(id: "missing") }
            await client.close()

            let scrape = try await get("http://127.0.0.1:\(port)/metrics")
            #expect(scrape.status == 200)
            #expect(scrape.contentType == "text/plain; version=0.0.4; charset=utf-8")
            #expect(scrape.body.contains("# HELP discountd_rpc_calls_total Calls answered since the daemon started.\n"))
            // promtool (scripts/prometheus-test) refuses a family without help text.
            let lines = scrape.body.split(separator: "\n")
            let families = lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] }
            #expect(families.count >= 10)
            for family in families {
                let help = lines.first { $0.hasPrefix("# HELP \(family) ") }
                #expect((help?.count ?? 0) > "# HELP \(family) ".count, "no help text for \(family)")
            }
            // The parser is a Python process: waited for off the cooperative pool.
            let scraped = try await offThePool { try parseWithPrometheusClient(scrape.body) }
            // Taken right after the scrape, with no call in between but its own (not yet counted in its answer).
            let statsOutput = try await discountctl(["stats", "--prometheus", "--socket", daemon.socketPath])
            #expect(statsOutput.status == 0, "\(statsOutput.stderr)")
            let stats = try await offThePool { try parseWithPrometheusClient(statsOutput.stdout) }

            let types = Dictionary(scraped.map { ($0.name, $0.type) }) { first, _ in first }
            #expect(types["discountd_rpc_calls"] == "counter")
            #expect(types["discountd_rpc_errors"] == "counter")
            #expect(types["discountd_rpc_latency_seconds"] == "histogram")
            #expect(types["discountd_rpc_latency_max_seconds"] == "gauge")
            #expect(types["discountd_cache_hits"] == "counter")
            #expect(types["discountd_cache_misses"] == "counter")
            #expect(types["discountd_cache_hit_ratio"] == "gauge")
            #expect(types["discountd_sync_queue_depth"] == "gauge")
            #expect(types["discountd_connections"] == "gauge")
            #expect(types["process_cpu_seconds"] == "counter")
            for gauge in [
                "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds",
                "process_max_fds", "process_start_time_seconds",
            ] {
                #expect(types[gauge] == "gauge", "\(gauge)")
            }

            // Every count and the daemon-wide figures of Admin.Stats, equal.
            let statsCalls = stats.samples("discountd_rpc_calls_total")
            #expect(statsCalls.count >= 2)
            for sample in statsCalls {
                #expect(scraped.value("discountd_rpc_calls_total", sample.labels) == sample.value, "\(sample.labels)")
                #expect(
                    scraped.value("discountd_rpc_errors_total", sample.labels)
                        == stats.value("discountd_rpc_errors_total", sample.labels), "\(sample.labels)")
                #expect(scraped.value("discountd_rpc_latency_seconds_count", sample.labels) == sample.value)
            }
            for figure in [
                "discountd_cache_hits_total", "discountd_cache_misses_total", "discountd_cache_hit_ratio",
                "discountd_sync_queue_depth",
            ] {
                #expect(scraped.value(figure, [:]) == stats.value(figure, [:]), "\(figure)")
            }

            let getRule = ["service": "discountd.v1.PriceRules", "method": "GetPriceRule"]
            #expect(scraped.value("discountd_rpc_calls_total", getRule) == 4)
            #expect(scraped.value("discountd_rpc_errors_total", getRule) == 1)
            // A histogram: cumulative buckets from tens of microseconds to seconds, +Inf holding every call.
            let buckets = scraped.samples("discountd_rpc_latency_seconds_bucket")
                .filter { $0.labels["method"] == "GetPriceRule" }
                .map { (bound: Double($0.labels["le"]!.replacingOccurrences(of: "+Inf", with: "inf"))!, count: $0.value) }
                .sorted { $0.bound < $1.bound }
            #expect(buckets.count >= 16)
            #expect(buckets.first!.bound <= 0.0001 && buckets.dropLast().last!.bound >= 10)
            #expect(zip(buckets, buckets.dropFirst()).allSatisfy { $0.count <= $1.count })
            #expect(buckets.last!.count == 4)
            let slowest = try #require(scraped.value("discountd_rpc_latency_max_seconds", getRule))
            #expect(slowest > 0 && slowest < 10)
            // Methods not called yet are there at zero, so rates start from the first call.
            #expect(
                scraped.value("discountd_rpc_calls_total", ["service": "discountd.v1.Vouchers", "method": "AssignVoucherCode"])
                    == 0)

            #expect(try #require(scraped.value("process_resident_memory_bytes", [:])) > 1_000_000)
            #expect(try #require(scraped.value("process_open_fds", [:])) >= 4)
            #expect(try #require(scraped.value("process_cpu_seconds_total", [:])) > 0)
            let started = try #require(scraped.value("process_start_time_seconds", [:]))
            #expect(abs(started - Date().timeIntervalSince1970) < 600)

            #expect(try await get("http://127.0.0.1:\(port)/").status == 404)
            #expect(try await get("http://127.0.0.1:\(port)/metrics", method: .POST).status == 405)
        }
    }

    private func get(_ url: String, method: HTTPMethod = .GET) async throws -> (status: Int, contentType: String?, body: String) {
        var request = HTTPClientRequest(url: url)
        request.method = method
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), response.headers.first(name: "Content-Type"), String(buffer: body))
    }
}

extension [PrometheusFamily] {
    func samples(_ name: String) -> [PrometheusFamily.Sample] {
        flatMap(\.samples).filter { $0.name == name }
    }

    func value(_ name: String, _ labels: [String: String]) -> Double? {
        samples(name).first { $0.labels == labels }?.value
    }
}
