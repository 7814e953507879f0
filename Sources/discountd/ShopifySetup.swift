import DiscountCore
import DiscountStore
import Logging
import ServiceLifecycle
import ShopifySync

/// The Shopify side of the daemon, from its flags: the client, the syncer the
/// Commission service hands codes to, and the outbox worker.
struct ShopifySetup {
    let syncer: ShopifySyncer
    let worker: ShopifyOutboxWorker
    let syncWait: Duration
    /// The order webhook listener, when `--webhook-listen` asks for one.
    let webhooks: WebhookServer?

    init(options: DaemonOptions, store: any CommissionStore, logger: Logger) throws {
        var shopifyLogger = logger
        shopifyLogger[metadataKey: "component"] = "shopify"
        let client = try ShopifyAdminClient(
            endpoint: ShopifyEndpoint(template: options.shopifyEndpoint, apiVersion: options.shopifyAPIVersion),
            trust: ShopifyTrust(extraCAFile: options.shopifyCAFile),
            requestTimeout: .milliseconds(Int64(options.shopifyTimeout * 1000)), logger: shopifyLogger)
        let policy = ShopifySyncPolicy(backoff: Backoff(baseSeconds: options.shopifyBackoff, capSeconds: 30))
        syncer = ShopifySyncer(store: store, client: client, policy: policy, logger: shopifyLogger)
        worker = ShopifyOutboxWorker(store: store, syncer: syncer, logger: shopifyLogger)
        syncWait = .milliseconds(Int64(options.shopifySyncWait * 1000))
        if let address = options.webhookAddress, let secret = options.shopifyWebhookSecret {
            let host = address.host == "[::1]" ? "::1" : address.host
            webhooks = WebhookServer(
                host: host, port: address.port,
                processor: WebhookProcessor(store: store, secret: secret, logger: shopifyLogger), logger: shopifyLogger)
        } else {
            webhooks = nil
        }
    }

    /// The services to run beside the RPC server.
    var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        [.init(service: worker)] + (webhooks.map { [.init(service: $0)] } ?? [])
    }
}
