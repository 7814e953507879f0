import ArgumentParser
import DiscountStorePostgres
import Logging
import ShopifySync

/// Where the store lives: the daemon's and its subcommands' (one parse
/// serves both, so `discountd create-token --data-dir X` reads X).
struct DataFolderOptions: ParsableArguments {
    @Option(help: "Folder for the store and its files. (env: DISCOUNTD_DATA_DIR)")
    var dataDir: String = env("DISCOUNTD_DATA_DIR") ?? "./data"

    @Option(
        name: .customLong("postgres"),
        help: ArgumentHelp(
            "Use this PostgreSQL database instead of SQLite in --data-dir, shared with other daemons: a libpq URL, e.g. postgresql://discountd@db.example.com/discountd or postgresql://discountd@/discountd?host=/run/postgresql for a Unix socket. The password may instead come from DISCOUNTD_POSTGRES_PASSWORD. (env: DISCOUNTD_POSTGRES_URL)",
            valueName: "url"))
    var postgresOption: String?

    var postgresURL: String? { postgresOption ?? env("DISCOUNTD_POSTGRES_URL") }

    /// The URL as the store takes it, the password from the environment when it has none.
    func postgres() throws -> PostgresURL? {
        guard let postgresURL else { return nil }
        do {
            return try PostgresURL(postgresURL, password: env("DISCOUNTD_POSTGRES_PASSWORD"))
        } catch {
            throw ValidationError("--postgres: \(error)")
        }
    }
}

/// Every flag of discountd; each also reads a DISCOUNTD_* environment variable.
struct DaemonOptions: ParsableArguments {
    @Option(help: "Unix socket to listen on. (env: DISCOUNTD_SOCKET)")
    var socket: String = env("DISCOUNTD_SOCKET") ?? "./discountd.sock"

    @OptionGroup var dataFolder: DataFolderOptions
    var dataDir: String { dataFolder.dataDir }

    @Option(help: "SQLite synchronous mode: full (durable, default), normal or extra. (env: DISCOUNTD_SQLITE_SYNCHRONOUS)")
    var sqliteSynchronous: String = env("DISCOUNTD_SQLITE_SYNCHRONOUS") ?? "full"

    @Option(help: "Entries of the in-process cache of discount codes. (env: DISCOUNTD_CACHE_ENTRIES)")
    var cacheEntries: Int = env("DISCOUNTD_CACHE_ENTRIES").flatMap(Int.init) ?? 50_000

    @Option(
        help: ArgumentHelp(
            "Seconds the cache may go without reading other daemons' changes (PostgreSQL only); past it cached reads go to the store. (env: DISCOUNTD_CACHE_STALENESS_BOUND)",
            valueName: "seconds"))
    var cacheStalenessBound: Double = env("DISCOUNTD_CACHE_STALENESS_BOUND").flatMap(Double.init) ?? 1.0

    @Option(help: "trace, debug, info, notice, warning, error or critical. (env: DISCOUNTD_LOG_LEVEL)")
    var logLevel: String = env("DISCOUNTD_LOG_LEVEL") ?? "info"

    @Flag(help: "Every call must carry a token, even from the daemon's own user. (env: DISCOUNTD_REQUIRE_AUTH=1)")
    var requireAuth: Bool = env("DISCOUNTD_REQUIRE_AUTH") == "1"

    @Option(
        name: .customLong("socket-group"),
        help: "Group that may use the socket (mode 0660 instead of 0600). (env: DISCOUNTD_SOCKET_GROUP)")
    var socketGroupOption: String?

    var socketGroup: String? { socketGroupOption ?? env("DISCOUNTD_SOCKET_GROUP") }

    @Option(help: "Largest request data in bytes. (env: DISCOUNTD_MAX_DATA_SIZE)")
    var maxDataSize: Int = env("DISCOUNTD_MAX_DATA_SIZE").flatMap(Int.init) ?? 4 << 20

    @Option(
        help:
            "Calls in flight per connection; at the limit the connection is not read until one finishes. (env: DISCOUNTD_MAX_CALLS_IN_FLIGHT)"
    )
    var maxCallsInFlight: Int = env("DISCOUNTD_MAX_CALLS_IN_FLIGHT").flatMap(Int.init) ?? 1024

    @Option(help: "Open connections; more are answered UNAVAILABLE and closed. (env: DISCOUNTD_MAX_CONNECTIONS)")
    var maxConnections: Int = env("DISCOUNTD_MAX_CONNECTIONS").flatMap(Int.init) ?? 4096

    @Option(help: "Seconds a connection with no call in flight may stay silent; 0: forever. (env: DISCOUNTD_IDLE_TIMEOUT)")
    var idleTimeout: Double = env("DISCOUNTD_IDLE_TIMEOUT").flatMap(Double.init) ?? 0

    @Option(help: "Deadline in seconds for calls that set none. (env: DISCOUNTD_DEFAULT_TIMEOUT)")
    var defaultTimeout: Double = env("DISCOUNTD_DEFAULT_TIMEOUT").flatMap(Double.init) ?? 30

    @Option(help: "Seconds SIGTERM waits for calls in flight. (env: DISCOUNTD_GRACE_PERIOD)")
    var gracePeriod: Double = env("DISCOUNTD_GRACE_PERIOD").flatMap(Double.init) ?? 10

    @Option(
        help:
            "GraphQL Admin API URL; {shop} stands for the shop's domain, {version} for --shopify-api-version. (env: DISCOUNTD_SHOPIFY_ENDPOINT)"
    )
    var shopifyEndpoint: String = env("DISCOUNTD_SHOPIFY_ENDPOINT") ?? ShopifyEndpoint.defaultTemplate

    @Option(
        name: .customLong("shopify-api-version"),
        help: "Shopify Admin API version, YYYY-MM. (env: DISCOUNTD_SHOPIFY_API_VERSION)")
    var shopifyAPIVersion: String = env("DISCOUNTD_SHOPIFY_API_VERSION") ?? ShopifyEndpoint.defaultAPIVersion

    @Option(
        name: .customLong("shopify-ca-file"),
        help:
            "PEM file of CA certificates to trust for Shopify besides the system's, e.g. a private CA. (env: DISCOUNTD_SHOPIFY_CA_FILE)"
    )
    var shopifyCAFileOption: String?

    var shopifyCAFile: String? { shopifyCAFileOption ?? env("DISCOUNTD_SHOPIFY_CA_FILE") }

    @Option(help: "Seconds one Shopify request may take. (env: DISCOUNTD_SHOPIFY_TIMEOUT)")
    var shopifyTimeout: Double = env("DISCOUNTD_SHOPIFY_TIMEOUT").flatMap(Double.init) ?? 10

    @Option(help: "Seconds get_my_discount_code waits for a code's Shopify sync. (env: DISCOUNTD_SHOPIFY_SYNC_WAIT)")
    var shopifySyncWait: Double = env("DISCOUNTD_SHOPIFY_SYNC_WAIT").flatMap(Double.init) ?? 2

    @Option(help: "First Shopify retry backoff in seconds; doubles up to 30, with jitter. (env: DISCOUNTD_SHOPIFY_BACKOFF)")
    var shopifyBackoff: Double = env("DISCOUNTD_SHOPIFY_BACKOFF").flatMap(Double.init) ?? 0.5

    @Option(
        name: .customLong("webhook-listen"),
        help: "Listen for Shopify order webhooks on this loopback host:port, e.g. 127.0.0.1:8090. (env: DISCOUNTD_WEBHOOK_LISTEN)"
    )
    var webhookListenOption: String?

    var webhookListen: String? { webhookListenOption ?? env("DISCOUNTD_WEBHOOK_LISTEN") }

    @Option(
        name: .customLong("shopify-webhook-secret"),
        help: "The Shopify app's client secret, to verify webhook HMACs. (env: DISCOUNTD_SHOPIFY_WEBHOOK_SECRET)")
    var shopifyWebhookSecretOption: String?

    var shopifyWebhookSecret: String? { shopifyWebhookSecretOption ?? env("DISCOUNTD_SHOPIFY_WEBHOOK_SECRET") }

    /// `--webhook-listen` split into host and port.
    var webhookAddress: (host: String, port: Int)? { webhookListen.flatMap(hostAndPort) }

    @Option(
        name: .customLong("metrics-listen"),
        help: "Serve Prometheus metrics at http://HOST:PORT/metrics, e.g. 127.0.0.1:9464. (env: DISCOUNTD_METRICS_LISTEN)")
    var metricsListenOption: String?

    var metricsListen: String? { metricsListenOption ?? env("DISCOUNTD_METRICS_LISTEN") }

    /// `--metrics-listen` split into host (without IPv6 brackets) and port.
    var metricsAddress: (host: String, port: Int)? {
        guard let (host, port) = metricsListen.flatMap(hostAndPort) else { return nil }
        return (host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host, port)
    }

    /// The longest duration a flag takes, in seconds.
    static let maxSeconds: Double = 365 * 24 * 3600

    mutating func validate() throws {
        _ = try dataFolder.postgres()
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard ["full", "normal", "extra"].contains(sqliteSynchronous) else {
            throw ValidationError("--sqlite-synchronous must be full, normal or extra")
        }
        guard cacheEntries >= 16 else { throw ValidationError("--cache-entries must be at least 16") }
        // Polled at a quarter of the bound: below 40 ms that would be a busy loop on the database.
        guard cacheStalenessBound >= 0.04, cacheStalenessBound <= 3600 else {
            throw ValidationError("--cache-staleness-bound must be between 0.04 and 3600 seconds")
        }
        guard maxDataSize >= 1024 else { throw ValidationError("--max-data-size must be at least 1024") }
        guard maxCallsInFlight >= 1 else { throw ValidationError("--max-calls-in-flight must be at least 1") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        guard idleTimeout >= 0 else { throw ValidationError("--idle-timeout must not be negative") }
        guard defaultTimeout > 0 else { throw ValidationError("--default-timeout must be positive") }
        guard gracePeriod >= 0 else { throw ValidationError("--grace-period must not be negative") }
        // Durations become nanoseconds in an Int64: a larger (or infinite) one would trap.
        for (flag, seconds) in [
            ("--idle-timeout", idleTimeout), ("--default-timeout", defaultTimeout), ("--grace-period", gracePeriod),
            ("--shopify-timeout", shopifyTimeout), ("--shopify-sync-wait", shopifySyncWait),
            ("--shopify-backoff", shopifyBackoff),
        ] where !(seconds <= Self.maxSeconds) {
            throw ValidationError("\(flag) must be at most \(Int(Self.maxSeconds)) seconds (a year)")
        }
        guard shopifyEndpoint.hasPrefix("https://") || shopifyEndpoint.hasPrefix("http://") else {
            throw ValidationError("--shopify-endpoint must be an http:// or https:// URL")
        }
        guard ShopifyEndpoint.isAPIVersion(shopifyAPIVersion) else {
            throw ValidationError("--shopify-api-version must be YYYY-MM (e.g. \(ShopifyEndpoint.defaultAPIVersion)) or unstable")
        }
        do {
            try ShopifyTrust(extraCAFile: shopifyCAFile).check()
        } catch {
            throw ValidationError("--shopify-ca-file: cannot read CA certificates from \(shopifyCAFile ?? ""): \(error)")
        }
        guard shopifyTimeout > 0, shopifySyncWait >= 0, shopifyBackoff > 0 else {
            throw ValidationError("--shopify-timeout and --shopify-backoff must be positive, --shopify-sync-wait not negative")
        }
        if webhookListen != nil {
            guard let address = webhookAddress, ["127.0.0.1", "localhost", "::1", "[::1]"].contains(address.host) else {
                throw ValidationError("--webhook-listen must be a loopback host:port, e.g. 127.0.0.1:8090")
            }
            guard shopifyWebhookSecret?.isEmpty == false else {
                throw ValidationError("--webhook-listen needs --shopify-webhook-secret")
            }
        }
        guard gracePeriod >= 0 else { throw ValidationError("--grace-period must not be negative") }
        if metricsListen != nil, metricsAddress?.host.isEmpty != false {
            throw ValidationError("--metrics-listen must be host:port, e.g. 127.0.0.1:9464")
        }
    }
}

/// `host:port` split at the last colon; nil without a port in 0...65535.
private func hostAndPort(_ text: String) -> (host: String, port: Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
        (0...65535).contains(port)
    else { return nil }
    return (String(text[..<colon]), port)
}

func env(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let string = String(cString: value)
    return string.isEmpty ? nil : string
}

#if canImport(Glibc)
import Glibc
#endif
