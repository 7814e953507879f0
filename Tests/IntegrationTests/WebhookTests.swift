import AsyncHTTPClient
import Crypto
import DiscountClient
import Foundation
import NIOCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Shopify order webhooks on the daemon's loopback listener: HMAC over the raw
/// body, de-duplication on X-Shopify-Webhook-Id, attribution.
@Suite struct WebhookTests {
    static let secret = "hush-client-secret"

    @Test func signedDeliveryAttributesDuplicatesAndForgeriesDoNot() async throws {
        let port = try freeLoopbackPort()
        try await withDaemon(arguments: [
            "--webhook-listen", "127.0.0.1:\(port)", "--shopify-webhook-secret", Self.secret,
        ]) { daemon in
            let client = try await daemon.client()
            let agent = try await client.registerAgent(name: "Jane")
            let campaign = try await client.makeCampaign(discount: 15, commission: 10)
            let code = try await client.myCode(agent.agentId, campaign).discountCode
            let body = Array(
                """
                {"id": 820982911946154508, "name": "#1001", "created_at": "2026-07-14T11:00:00-04:00", "currency": "USD",
                 "financial_status": "paid", "subtotal_price": "85.00", "total_price": "85.00",
                 "discount_codes": [{"code": "\(code.lowercased())", "amount": "15.00", "type": "percentage"}]}
                """.utf8)
            let url = "http://127.0.0.1:\(port)/webhooks/shopify"

            var (status, answer) = try await post(url, body, hmac: sign(body), webhookID: "wh-1")
            #expect(status == 200, "\(answer)")
            #expect(answer.contains(#""duplicate":false"#) && answer.contains(#""attributed":true"#))
            #expect(
                try await totals(client, agent.agentId)
                    == CommissionTotal(currency: "USD", orders: 1, sales: 8_500, commission: 850))

            // Shopify redelivers: acknowledged, not counted again.
            (status, answer) = try await post(url, body, hmac: sign(body), webhookID: "wh-1")
            #expect(status == 200 && answer.contains(#""duplicate":true"#))

            // A forged or altered body is refused before it is parsed.
            var forged = body
            forged[forged.count - 3] = UInt8(ascii: "9")
            (status, _) = try await post(url, forged, hmac: sign(body), webhookID: "wh-2")
            #expect(status == 401)
            (status, _) = try await post(url, body, hmac: nil, webhookID: "wh-3")
            #expect(status == 401)
            #expect(
                try await totals(client, agent.agentId)
                    == CommissionTotal(currency: "USD", orders: 1, sales: 8_500, commission: 850))
        }
    }

    private func sign(_ body: [UInt8]) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(Self.secret.utf8)))).base64EncodedString()
    }

    private func totals(_ client: DiscountClient, _ agentID: Int64) async throws -> CommissionTotal? {
        try await client.getMyCommissions(GetMyCommissionsRequest(agentId: agentID)).totals.first
    }

    private func post(_ url: String, _ body: [UInt8], hmac: String?, webhookID: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.body = .bytes(body)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "X-Shopify-Topic", value: "orders/create")
        request.headers.add(name: "X-Shopify-Shop-Domain", value: FakeShopify.shop)
        request.headers.add(name: "X-Shopify-API-Version", value: "2025-01")
        request.headers.add(name: "X-Shopify-Webhook-Id", value: webhookID)
        if let hmac { request.headers.add(name: "X-Shopify-Hmac-Sha256", value: hmac) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let data = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: data))
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else { throw POSIXError(.EADDRINUSE) }
    return Int(UInt16(bigEndian: address.sin_port))
}
