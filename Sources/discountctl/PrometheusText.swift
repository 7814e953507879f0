import DiscountClient

/// Admin.Stats in the Prometheus text exposition format (version 0.0.4):
/// per-method counters and a latency summary labelled by service and method,
/// then the daemon-wide cache, sync and connection figures.
enum PrometheusText {
    static func render(_ stats: StatsResponse) -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: () -> Void) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            samples()
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: Double) {
            let rendered = labels.isEmpty ? "" : "{" + labels.map { "\($0)=\"\(escape($1))\"" }.joined(separator: ",") + "}"
            out += "\(name)\(rendered) \(number(value))\n"
        }
        let methods = stats.methods
        func labels(_ method: MethodStats) -> [(String, String)] { [("service", method.service), ("method", method.method)] }

        family("discountd_rpc_calls_total", "counter", "Calls answered since the daemon started.") {
            for method in methods { sample("discountd_rpc_calls_total", labels(method), Double(method.count)) }
        }
        family("discountd_rpc_errors_total", "counter", "Calls that ended with a non-OK status.") {
            for method in methods { sample("discountd_rpc_errors_total", labels(method), Double(method.errors)) }
        }
        family("discountd_rpc_latency_seconds", "summary", "Latency from receipt to response (quantiles within 12.5%).") {
            for method in methods {
                for (quantile, ms) in [("0.5", method.p50Ms), ("0.9", method.p90Ms), ("0.99", method.p99Ms)] {
                    sample("discountd_rpc_latency_seconds", labels(method) + [("quantile", quantile)], ms / 1000)
                }
                sample("discountd_rpc_latency_seconds_count", labels(method), Double(method.count))
            }
        }
        family("discountd_rpc_latency_max_seconds", "gauge", "Slowest call since the daemon started.") {
            for method in methods { sample("discountd_rpc_latency_max_seconds", labels(method), method.maxMs / 1000) }
        }
        family("discountd_cache_hits_total", "counter", "In-process cache lookups answered from memory.") {
            sample("discountd_cache_hits_total", [], Double(stats.cacheHits))
        }
        family("discountd_cache_misses_total", "counter", "In-process cache lookups that went to the store.") {
            sample("discountd_cache_misses_total", [], Double(stats.cacheMisses))
        }
        family("discountd_cache_hit_ratio", "gauge", "Cache hits / (hits + misses) since start; 0 before any lookup.") {
            sample("discountd_cache_hit_ratio", [], stats.cacheHitRatio)
        }
        family("discountd_sync_queue_depth", "gauge", "Agent codes waiting to be sent to Shopify.") {
            sample("discountd_sync_queue_depth", [], Double(stats.syncQueueDepth))
        }
        family("discountd_connections", "gauge", "Open client connections.") {
            sample("discountd_connections", [], Double(stats.connections))
        }
        if let feed = stats.changeFeed {
            family(
                "discountd_change_feed_caught_up_seconds", "gauge",
                "Seconds since other daemons' changes were last read to the present."
            ) {
                sample("discountd_change_feed_caught_up_seconds", [], feed.caughtUpSecondsAgo)
            }
            family("discountd_change_feed_lag_seconds", "gauge", "Commit to application here of the last change applied.") {
                sample("discountd_change_feed_lag_seconds", [], feed.lastChangeLagSeconds)
            }
            family("discountd_change_feed_listening", "gauge", "1 while change doorbells (PostgreSQL LISTEN) arrive.") {
                sample("discountd_change_feed_listening", [], feed.listening ? 1 : 0)
            }
            family("discountd_cache_serving", "gauge", "1 while cached reads answer from memory (within the staleness bound).") {
                sample("discountd_cache_serving", [], feed.cacheServing ? 1 : 0)
            }
        }
        return out
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Integers without a fraction; others as Swift prints doubles (Go's ParseFloat reads both).
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
