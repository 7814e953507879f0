import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

/// Sends GraphQL Admin documents over HTTPS with AsyncHTTPClient (the
/// certificate checked against `trust`) and classifies the answers. Honours
/// the shop's cost bucket before sending (see `ShopifyCostBuckets`); retries
/// are the caller's business.
public struct ShopifyAdminClient: Sendable {
    public var endpoint: ShopifyEndpoint
    /// How long one request may take before it counts as no answer.
    public var requestTimeout: Duration
    let http: HTTPClient
    let buckets: ShopifyCostBuckets
    let logger: Logger

    public init(
        endpoint: ShopifyEndpoint, trust: ShopifyTrust = .init(), requestTimeout: Duration = .seconds(10), logger: Logger
    ) throws {
        self.endpoint = endpoint
        self.requestTimeout = requestTimeout
        self.http = try ShopifyHTTPClients.client(for: trust)
        self.buckets = ShopifyCostBuckets()
        self.logger = logger
    }

    func send(
        _ operation: ShopifyOperation, _ spec: ShopifyDiscountSpec, shopDomain: String, accessToken: String
    ) async -> ShopifyAnswer {
        await buckets.waitForCapacity(shop: shopDomain, cost: operation.expectedCost)
        var request = HTTPClientRequest(url: endpoint.url(shopDomain: shopDomain))
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "X-Shopify-Access-Token", value: accessToken)
        request.body = .bytes(operation == .create ? spec.createBody() : spec.lookupBody())
        let timeout = TimeAmount.nanoseconds(
            Int64(requestTimeout.components.seconds) * 1_000_000_000
                + requestTimeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await http.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            let (answer, throttle) = ShopifyAnswerParser.parse(
                status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"),
                body: Array(buffer: body), operation: operation)
            if let throttle { await buckets.observe(shop: shopDomain, throttle) }
            return answer
        } catch let error where error is NIOSSLError || error is NIOSSLExtraError {
            // Needs the operator (--shopify-ca-file, or the proxy's certificate), so said louder.
            logger.warning(
                "shopify TLS handshake failed; nothing sent", metadata: ["shop": "\(shopDomain)", "error": "\(error)"])
            return .tlsRefused(String(describing: error))
        } catch {
            logger.debug("shopify request failed", metadata: ["shop": "\(shopDomain)", "error": "\(error)"])
            return .noAnswer(String(describing: error))
        }
    }
}

/// The client's idea of each shop's cost bucket, from the last throttleStatus
/// seen: waits before sending when the bucket cannot cover the call, so the
/// daemon slows down before Shopify has to throttle it.
actor ShopifyCostBuckets {
    private var buckets: [String: (status: ThrottleStatus, seenAt: ContinuousClock.Instant)] = [:]

    func observe(shop: String, _ status: ThrottleStatus) {
        buckets[shop] = (status, .now)
    }

    func waitForCapacity(shop: String, cost: Double) async {
        guard let (status, seenAt) = buckets[shop], status.restoreRate > 0 else { return }
        let elapsed = ContinuousClock.now - seenAt
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let available = min(status.maximumAvailable, status.currentlyAvailable + seconds * status.restoreRate)
        guard available < cost else { return }
        let wait = (cost - available) / status.restoreRate
        try? await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1))
    }
}
