import DiscountClient
import Foundation
import ProcessSpawning
import Testing

/// `discountctl stats --prometheus`: Admin.Stats in the Prometheus text
/// format, read back by the Prometheus project's own Python parser.
@Suite struct StatsPrometheusTests {
    @Test func prometheusRenderingParsesAndCarriesTheFigures() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule(title: "Metrics")
            for _ in 0..<3 { _ = try await client.getPriceRule(id: rule.id) }
            await expectRPCError(.notFound) { try await client.getPriceRule(id: "missing") }
            let agent = try await client.registerAgent(name: "metrics-agent")
            _ = try? await client.getMyDiscountCode(agentID: agent.agentId)
            await client.close()

            let result = try await discountctl(["stats", "--prometheus", "--socket", daemon.socketPath])
            #expect(result.status == 0, "\(result.stderr)")
            let text = result.stdout

            // Every sample belongs to a family announced by HELP then TYPE, once each.
            var announced: [String: String] = [:]
            var lastHelp: String?
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ", maxSplits: 3).map(String.init)
                if line.hasPrefix("# HELP ") {
                    #expect(announced[words[2]] == nil, "one HELP per family: \(line)")
                    lastHelp = words[2]
                } else if line.hasPrefix("# TYPE ") {
                    #expect(lastHelp == words[2], "TYPE follows its HELP: \(line)")
                    announced[words[2]] = words[3]
                } else {
                    let name = String(line.prefix { $0 != "{" && $0 != " " })
                    let family = announced[name] != nil ? name : String(name.dropLast("_count".count))
                    #expect(announced[family] != nil, "sample of an announced family: \(line)")
                    #expect(name.hasPrefix("discountd_"))
                }
            }

            let families = try await offThePool { try parseWithPrometheusClient(text) }
            let types = Dictionary(families.map { ($0.name, $0.type) }) { first, _ in first }
            #expect(types["discountd_rpc_calls"] == "counter")
            #expect(types["discountd_rpc_errors"] == "counter")
            #expect(types["discountd_rpc_latency_seconds"] == "summary")
            #expect(types["discountd_cache_hit_ratio"] == "gauge")
            #expect(types["discountd_sync_queue_depth"] == "gauge")
            #expect(types["discountd_connections"] == "gauge")

            func value(_ sample: String, _ labels: [String: String]) -> Double? {
                families.flatMap(\.samples).first { $0.name == sample && $0.labels == labels }?.value
            }
            let getRule = ["service": PriceRulesRPC.serviceName, "method": PriceRulesRPC.getPriceRule.name]
            #expect(value("discountd_rpc_calls_total", getRule) == 4)
            #expect(value("discountd_rpc_errors_total", getRule) == 1)
            #expect(
                value(
                    "discountd_rpc_calls_total",
                    ["service": PriceRulesRPC.serviceName, "method": PriceRulesRPC.createPriceRule.name]) == 1)
            #expect(value("discountd_rpc_latency_seconds_count", getRule) == 4)
            for quantile in ["0.5", "0.9", "0.99"] {
                let seconds = try #require(value("discountd_rpc_latency_seconds", getRule.merging(["quantile": quantile]) { $1 }))
                #expect(seconds > 0 && seconds < 10, "quantile \(quantile): \(seconds)")
            }
            let ratio = try #require(value("discountd_cache_hit_ratio", [:]))
            #expect((0...1).contains(ratio))
            #expect(value("discountd_connections", [:]) == 1, "the discountctl connection itself")
        }
    }
}

struct PrometheusFamily: Decodable {
    struct Sample: Decodable {
        var name: String
        var labels: [String: String]
        var value: Double
    }
    var name: String
    var type: String
    var samples: [Sample]
}

/// prometheus_client.parser (Debian's python3-prometheus-client, installed by
/// scripts/lib/ensure-packages.sh) turned into JSON.
func parseWithPrometheusClient(_ text: String) throws -> [PrometheusFamily] {
    let script = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        families = [{"name": f.name, "type": f.type,
                     "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]}
                    for f in text_string_to_metric_families(sys.stdin.read())]
        print(json.dumps(families))
        """
    let parsed = try ChildProcess.runSynchronously("/usr/bin/python3", ["-c", script], input: text)
    guard parsed.status == 0 else {
        throw ParseFailure(message: parsed.stderr)
    }
    let json = Data(parsed.stdout.utf8)
    return try JSONDecoder().decode([PrometheusFamily].self, from: json)
}

struct ParseFailure: Error { var message: String }
