import TTRPC

/// Resolves a bearer token to the principal it stands for; nil when unknown or revoked.
public protocol TokenVerifier: Sendable {
    func principal(forToken token: String) async throws -> Principal?
    /// The same answer from memory alone; nil when that needs the store.
    func cachedPrincipal(forToken token: String) -> Principal?
}

/// The authorization hook every discountd method passes through (DESIGN.md §3, auth):
/// a token in `authorization` metadata names a project and scopes; without
/// one, a peer running as the daemon's own user acts on the default project
/// with every scope, unless `--require-auth` is set.
public struct Authorizer: Sendable {
    public var requireAuth: Bool
    public var ownerUID: UInt32
    public var tokens: (any TokenVerifier)?

    public init(requireAuth: Bool, ownerUID: UInt32, tokens: (any TokenVerifier)? = nil) {
        self.requireAuth = requireAuth
        self.ownerUID = ownerUID
        self.tokens = tokens
    }

    public func authorize(_ context: CallContext, scope: Scope? = nil) async throws -> Principal {
        if let principal = try authorizeFromMemory(context, scope: scope) { return principal }
        // Only a token not verified yet gets here: ask the store once.
        guard case .token(let token) = try credential(context), let tokens,
            let principal = try await tokens.principal(forToken: token)
        else {
            throw ServiceError.unauthenticated("unknown, expired or revoked token")
        }
        if let scope { try principal.require(scope) }
        return principal
    }

    /// `authorize` without a store read: nil when the token is not in memory yet.
    public func authorizeFromMemory(_ context: CallContext, scope: Scope? = nil) throws -> Principal? {
        let principal: Principal
        switch try credential(context) {
        case .owner:
            principal = .localOwner
        case .token(let token):
            guard let found = tokens?.cachedPrincipal(forToken: token) else { return nil }
            principal = found
        }
        if let scope { try principal.require(scope) }
        return principal
    }

    private enum Credential {
        case owner
        case token(String)
    }

    private func credential(_ context: CallContext) throws -> Credential {
        if let header = context.metadata["authorization"] {
            guard let token = Self.bearerToken(header) else {
                throw ServiceError.unauthenticated("authorization metadata must be `Bearer <token>`")
            }
            return .token(token)
        }
        if requireAuth {
            throw ServiceError.unauthenticated("this daemon requires a token (--require-auth)")
        }
        guard let peer = context.peer, peer.uid == ownerUID else {
            throw ServiceError.unauthenticated("only the daemon's own user may call without a token")
        }
        return .owner
    }

    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].drop { $0 == " " }
        return token.isEmpty ? nil : String(token)
    }
}
