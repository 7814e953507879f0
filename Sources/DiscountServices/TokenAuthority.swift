import Crypto
import DiscountCore
import DiscountStore
import Synchronization

/// Issues, verifies and revokes API tokens. Only SHA-256 of a secret is
/// stored; verified tokens are kept in memory so that a cached call needs no
/// store read.
public final class TokenAuthority: TokenVerifier, Sendable {
    private let store: any Store
    private let verified = Mutex<[String: TokenRecord]>([:])

    public init(store: any Store) {
        self.store = store
    }

    /// The issued secret (shown once) and the stored record.
    public func issue(projectID: String, name: String, scopes: [String], expiresAt: Instant?) async throws
        -> (secret: String, record: TokenRecord)
    {
        let (secret, record) = newToken(projectID: projectID, name: name, scopes: scopes, expiresAt: expiresAt)
        try await store.insertToken(record)
        return (secret, record)
    }

    /// A fresh secret and the record to store for it (only its hash is kept).
    public func newToken(projectID: String, name: String, scopes: [String], expiresAt: Instant?)
        -> (secret: String, record: TokenRecord)
    {
        var random = SystemRandomNumberGenerator()
        let secret = "dsk_" + (0..<32).map { _ in hexDigit(random.next(upperBound: 16)) }.joined()
        let record = TokenRecord(
            id: "tok_" + (0..<16).map { _ in hexDigit(random.next(upperBound: 16)) }.joined(),
            projectID: projectID, name: name, scopes: scopes, secretHash: Self.hash(secret),
            createdAt: .now(), expiresAt: expiresAt)
        return (secret, record)
    }

    public func revoke(id: String, options: WriteOptions<TokenRecord?> = .plain) async throws -> TokenRecord? {
        guard let record = try await store.revokeToken(id: id, at: .now(), options: options) else { return nil }
        _ = verified.withLock { $0.removeValue(forKey: record.secretHash) }
        return record
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await store.token(id: id)
    }

    public func principal(forToken token: String) async throws -> Principal? {
        let hash = Self.hash(token)
        if let cached = cachedPrincipal(hash: hash) { return cached }
        guard let record = try await store.token(secretHash: hash), record.isUsable(at: .now()) else { return nil }
        verified.withLock { $0[hash] = record }
        return Self.principal(record)
    }

    /// Answers from memory only: nil when the token has not been verified yet.
    public func cachedPrincipal(forToken token: String) -> Principal? {
        cachedPrincipal(hash: Self.hash(token))
    }

    private func cachedPrincipal(hash: String) -> Principal? {
        guard let record = verified.withLock({ $0[hash] }), record.isUsable(at: .now()) else { return nil }
        return Self.principal(record)
    }

    static func principal(_ record: TokenRecord) -> Principal {
        Principal(projectID: record.projectID, scopes: Set(record.scopes.compactMap(Scope.init(rawValue:))))
    }

    static func hash(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { byte in
            hexDigit(UInt64(byte >> 4)) + hexDigit(UInt64(byte & 0xF))
        }.joined()
    }
}

private func hexDigit(_ value: UInt64) -> String {
    String(UnicodeScalar(UInt8(value < 10 ? 48 + value : 87 + value)))
}
