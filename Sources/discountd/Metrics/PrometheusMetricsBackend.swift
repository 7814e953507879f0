import CoreMetrics
import Prometheus
import TTRPC

/// The swift-metrics backend of `--metrics-listen`: every metric lives in one
/// Prometheus registry, named `discountd_<label>` (the standard `process_*`
/// ones keep their names), with a HELP line when the label is known here and
/// latency buckets fit for RPCs. swift-prometheus renders the text format.
struct PrometheusMetricsBackend: MetricsFactory {
    let registry = PrometheusCollectorRegistry()

    /// Upper bounds from 50 µs (a cached read answered on the event loop) to
    /// 30 s (the default deadline), roughly 1-2.5-5 per decade, so p99 over
    /// any set of daemons is within one bucket of the truth.
    static let latencyBuckets: [Duration] = [
        .microseconds(50), .microseconds(100), .microseconds(250), .microseconds(500),
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10), .seconds(30),
    ]

    static let help: [String: String] = [
        ServerMetrics.Label.calls: "Calls answered since the daemon started.",
        ServerMetrics.Label.errors: "Calls that ended with a non-OK status.",
        ServerMetrics.Label.latency: "Latency from receipt to response.",
        ServerMetrics.Label.slowest: "Slowest call since the daemon started.",
        ServerMetrics.Label.connections: "Open client connections.",
        ScrapeFigures.Label.cacheHits: "In-process cache lookups answered from memory.",
        ScrapeFigures.Label.cacheMisses: "In-process cache lookups that went to the store.",
        ScrapeFigures.Label.cacheHitRatio: "Cache hits / (hits + misses) since start; 0 before any lookup.",
        ScrapeFigures.Label.syncQueueDepth: "Agent codes waiting to be sent to Shopify.",
        ScrapeFigures.Label.changeFeedCaughtUp: "Seconds since the caches last caught up with the store's change feed.",
        ScrapeFigures.Label.cacheServing: "1 while cached reads are served; 0 past the staleness bound.",
        ProcessFigures.Label.cpuSeconds: "Total user and system CPU time spent in seconds.",
        ProcessFigures.Label.residentMemory: "Resident memory size in bytes.",
        ProcessFigures.Label.virtualMemory: "Virtual memory size in bytes.",
        ProcessFigures.Label.openFDs: "Number of open file descriptors.",
        ProcessFigures.Label.maxFDs: "Maximum number of open file descriptors.",
        ProcessFigures.Label.startTime: "Start time of the process since unix epoch in seconds.",
    ]

    /// `discountd_<label>`, or the label itself for the standard `process_*` metrics.
    private func descriptor(_ label: String) -> MetricNameDescriptor {
        MetricNameDescriptor(
            metricName: label.hasPrefix("process_") ? label : "discountd_" + label, unitName: "",
            helpText: Self.help[label] ?? "")
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: descriptor(label), labels: dimensions,
            buckets: PrometheusMetricsFactory().defaultValueHistogramBuckets)
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        registry.makeDurationHistogram(descriptor: descriptor(label), labels: dimensions, buckets: Self.latencyBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? DurationHistogram { registry.unregisterDurationHistogram(histogram) }
    }
}
