import AsyncHTTPClient
import NIOSSL
import Synchronization

/// One HTTP client per trust setting, made on first use and kept for the
/// life of the process, as AsyncHTTPClient's own `HTTPClient.shared` is
/// (a client must be shut down before it is freed; these never are).
enum ShopifyHTTPClients {
    private static let clients = Mutex<[ShopifyTrust: HTTPClient]>([:])

    static func client(for trust: ShopifyTrust) throws -> HTTPClient {
        try clients.withLock { clients in
            if let client = clients[trust] { return client }
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            if let file = trust.extraCAFile {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(file))]
            }
            var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
            // A GraphQL POST is never redirected by Shopify; following one would resend the token elsewhere.
            configuration.redirectConfiguration = .disallow
            // A sync attempt retries by itself, with backoff and a lookup first; the pool's own
            // retries would only stretch a refused connection or an untrusted certificate to
            // the whole request timeout.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
            clients[trust] = client
            return client
        }
    }
}
