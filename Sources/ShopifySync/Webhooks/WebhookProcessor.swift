import DiscountCore
import DiscountStore
import Logging

/// Turns one webhook delivery into an attributed order: signature first (over
/// the raw body), then the topic, then the payload; duplicates by
/// `X-Shopify-Webhook-Id` are acknowledged and ignored. Never answers 5xx for
/// a delivery it understood, so Shopify does not redeliver it forever.
public struct WebhookProcessor: Sendable {
    public struct Delivery: Sendable {
        public var path: String
        public var headers: [String: String]  // lower-cased names
        public var body: [UInt8]

        public init(path: String, headers: [String: String], body: [UInt8]) {
            self.path = path
            self.headers = headers
            self.body = body
        }
    }

    public struct Reply: Sendable, Equatable {
        public var status: Int
        public var body: String
    }

    static let topics: Set<String> = ["orders/create", "orders/paid"]

    let store: any CommissionStore
    let signature: WebhookSignature
    let logger: Logger

    public init(store: any CommissionStore, secret: String, logger: Logger) {
        self.store = store
        self.signature = WebhookSignature(secret: secret)
        self.logger = logger
    }

    public func handle(_ delivery: Delivery) async -> Reply {
        guard signature.verify(delivery.body, header: delivery.headers["x-shopify-hmac-sha256"]) else {
            return Reply(status: 401, body: #"{"error":"bad X-Shopify-Hmac-Sha256"}"#)
        }
        let topic = delivery.headers["x-shopify-topic"] ?? ""
        guard Self.topics.contains(topic) else {
            return Reply(status: 200, body: #"{"ignored":"topic"}"#)
        }
        guard let webhookID = delivery.headers["x-shopify-webhook-id"], !webhookID.isEmpty else {
            return Reply(status: 400, body: #"{"error":"no X-Shopify-Webhook-Id"}"#)
        }
        let order: OrderWebhook
        do {
            order = try OrderWebhook(json: delivery.body, topic: topic)
        } catch {
            return Reply(status: 400, body: #"{"error":"not an order"}"#)
        }
        do {
            let shop = delivery.headers["x-shopify-shop-domain"] ?? ""
            let projectID = try await store.projectID(shopDomain: shop) ?? Project.defaultID
            let now = Instant.now()
            let input = OrderInput(
                projectID: projectID, orderID: order.orderID, codes: order.codes, subtotal: order.subtotal,
                currency: order.currency, occurredAt: order.occurredAt ?? now, state: order.state, at: now)
            guard let (attribution, _) = try await store.recordWebhookOrder(input, webhookID: webhookID) else {
                return Reply(status: 200, body: #"{"duplicate":true}"#)
            }
            return Reply(
                status: 200,
                body: #"{"duplicate":false,"attributed":\#(attribution.agentID != nil),"commission":\#(attribution.commission)}"#)
        } catch {
            // The store failed: a redelivery may succeed, so say so (503 is retried).
            logger.error("webhook not recorded", metadata: ["error": "\(error)"])
            return Reply(status: 503, body: #"{"error":"try again"}"#)
        }
    }
}
