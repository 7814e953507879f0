import NIOSSL

/// Which certificates the Shopify client trusts: the system's trust store,
/// and optionally the CA certificates of one PEM file besides (a private CA
/// in front of the Admin API, or a test's own).
public struct ShopifyTrust: Sendable, Hashable {
    public var extraCAFile: String?

    public init(extraCAFile: String? = nil) {
        self.extraCAFile = extraCAFile
    }

    /// Reads the extra CA file now, so a missing or unreadable file stops the
    /// daemon at start rather than failing every sync later.
    public func check() throws {
        guard let extraCAFile else { return }
        let certificates = try NIOSSLCertificate.fromPEMFile(extraCAFile)
        if certificates.isEmpty { throw ShopifyTrustError.noCertificate(path: extraCAFile) }
    }
}

public enum ShopifyTrustError: Error, CustomStringConvertible {
    case noCertificate(path: String)

    public var description: String {
        switch self {
        case .noCertificate(let path): "\(path) holds no PEM certificate"
        }
    }
}
