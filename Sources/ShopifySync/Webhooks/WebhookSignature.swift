import Crypto
import Foundation

/// Shopify's webhook signature: base64(HMAC-SHA256(app secret, raw body)) in
/// `X-Shopify-Hmac-Sha256`, checked over the bytes as received, before parsing.
public struct WebhookSignature: Sendable {
    // The secret's bytes: SymmetricKey is not Sendable, so one is made per check.
    private let secret: [UInt8]

    public init(secret: String) {
        self.secret = Array(secret.utf8)
    }

    private var key: SymmetricKey { SymmetricKey(data: secret) }

    /// The header value for `body`.
    public func sign(_ body: [UInt8]) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: body, using: key)).base64EncodedString()
    }

    /// Constant-time check of `header` against `body`.
    public func verify(_ body: [UInt8], header: String?) -> Bool {
        guard let header, let mac = Data(base64Encoded: header.trimmingCharacters(in: .whitespaces)) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key)
    }
}
