import Crypto
import DiscountCore
import DiscountStore
import Synchronization

/// Issues, verifies and revokes API tokens. Only SHA-256 of a secret is
/// stored; verified tokens are kept in memory so that a cached call needs no
/// store read. Tokens revoked by another daemon are forgotten when the change
/// feed reports them (`invalidate`); past the staleness bound none is trusted
/// from memory.
public final class TokenAuthority: TokenVerifier, Sendable {
    /// Verified tokens by secret hash. `epoch` counts batches of other
    /// writers' changes: a record read before one may be revoked already, so
    /// it is kept only if none came in between.
    private struct Verified {
        var records: [String: TokenRecord] = [:]
        var epoch: UInt64 = 0
    }

    private let store: any Store
    private let verified = Mutex(Verified())
    private let freshness: CacheFreshness

    public init(store: any Store, freshness: CacheFreshness = .unbounded) {
        self.store = store
        self.freshness = freshness
    }

    /// The issued secret (shown once) and the stored record.
    public func issue(
        projectID: String, name: String, scopes: [String], expiresAt: Instant?
    ) async throws
        -> (secret: String, record: TokenRecord)
    {
        let (secret, record) = newToken(projectID: projectID, name: name, scopes: scopes, expiresAt: expiresAt)
        try await store.insertToken(record)
        return (secret, record)
    }

    /// A fresh secret and the record to store for it (only its hash is kept).
    public func newToken(
        projectID: String, name: String, scopes: [String], expiresAt: Instant?
    )
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
        _ = verified.withLock { $0.records.removeValue(forKey: record.secretHash) }
        return record
    }

    public func token(id: String) async throws -> TokenRecord? {
        try await store.token(id: id)
    }

    public func principal(forToken token: String) async throws -> Principal? {
        let hash = Self.hash(token)
        if let cached = cachedPrincipal(hash: hash) { return cached }
        let epoch = verified.withLock { $0.epoch }
        guard let record = try await store.token(secretHash: hash), record.isUsable(at: .now()) else { return nil }
        verified.withLock { if $0.epoch == epoch { $0.records[hash] = record } }
        return Self.principal(record)
    }

    /// Answers from memory only: nil when the token has not been verified yet.
    public func cachedPrincipal(forToken token: String) -> Principal? {
        cachedPrincipal(hash: Self.hash(token))
    }

    private func cachedPrincipal(hash: String) -> Principal? {
        guard freshness.isFresh, let record = verified.withLock({ $0.records[hash] }), record.isUsable(at: .now())
        else { return nil }
        return Self.principal(record)
    }

    /// Forgets tokens another writer created, changed or revoked (`CacheCoherence`).
    func invalidate(_ changes: [StoreChange]) {
        let tokens = changes.filter { $0.kind == .token }
        guard !tokens.isEmpty else { return }
        let ids = Set(tokens.filter { $0.key == nil }.map(\.id))
        verified.withLock { verified in
            verified.epoch &+= 1
            for change in tokens { if let hash = change.key { verified.records[hash] = nil } }
            // A change without its hash names the token by id only.
            if !ids.isEmpty { verified.records = verified.records.filter { !ids.contains($0.value.id) } }
        }
    }

    /// Changes were missed: forgets every verified token.
    func invalidateAll() {
        let dropped = verified.withLock { verified in
            verified.epoch &+= 1
            defer { verified.records = [:] }
            return verified.records
        }
        _ = consume dropped
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
