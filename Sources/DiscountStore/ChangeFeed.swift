import DiscountCore

/// What other writers to the same store have committed: how a daemon keeps its
/// caches coherent when it is not the only one writing (several daemons on one
/// PostgreSQL).
///
/// Every write appends one `StoreChange` per entity it changed, in the write's
/// own transaction, so a change is in the feed exactly when its write is
/// committed. A reader keeps a `ChangeCursor` and asks for what came after it:
/// when a doorbell rings, when the doorbells come back after a loss, and by
/// polling in between (a doorbell may be lost; the feed never is).
///
/// A backend with one writer (SQLite: one daemon owns the file) has no one
/// else's writes to report: its feed is always empty.
public protocol ChangeFeed: Sendable {
    /// A cursor at the present: every change committed after this call is after it.
    func currentChangeCursor() async throws -> ChangeCursor

    /// The changes committed after `cursor` and before this call, in the order
    /// they were logged, and the cursor to ask from next time. At most `limit`
    /// of them: past that (or when `cursor` is older than the log keeps), the
    /// batch comes back incomplete, with no changes, and the reader must treat
    /// everything it cached as stale (see `ChangeBatch.isComplete`).
    func changes(after cursor: ChangeCursor, limit: Int) async throws -> ChangeBatch

    /// A new stream of doorbells; each call gets its own. Ends when the store closes.
    func doorbells() -> AsyncStream<ChangeDoorbell>

    /// Whether doorbells are arriving now, and why the store's server cannot
    /// be reached, if it cannot: what Admin.ServerInfo and stats report.
    var feedState: ChangeFeedState { get }
}

public struct ChangeFeedState: Sendable, Hashable {
    public var listening: Bool
    /// Nil while the server is reachable; while not, calls fail with `StoreError.unavailable`.
    public var outage: String?

    public init(listening: Bool, outage: String?) {
        self.listening = listening
        self.outage = outage
    }
}

/// Where a reader of the feed has got to. Opaque: only the backend that made it
/// can read it, and it stays valid across reconnects and restarts (until the
/// log has dropped what came after it).
public struct ChangeCursor: Sendable, Hashable, Codable, CustomStringConvertible {
    public let token: String

    public init(token: String) { self.token = token }

    public var description: String { token }
}

/// One entity one committed write changed.
public struct StoreChange: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case project
        /// `key`: the token's secret hash (what authentication looks it up by).
        case token
        case priceRule = "price_rule"
        /// `key`: the canonical code (what redemptions look it up by).
        case discountCode = "discount_code"
        /// Its counts changed, or its codes, or it was created or deleted.
        case voucherPool = "voucher_pool"
        case agent
        case campaign
        /// `key`: the canonical code.
        case agentCode = "agent_code"
        /// `id`: the project.
        case shopifyCredentials = "shopify_credentials"
        /// `id`: the order.
        case order
    }

    public var kind: Kind
    public var projectID: String
    public var id: String
    /// The entity's other lookup key, where it has one (see `Kind`).
    public var key: String?
    /// The entity's version after the write, for entities that keep one (price
    /// rules, discount codes, voucher pools); 0 for the others and for a
    /// deletion (whatever a cache holds for them is stale).
    public var version: Int64
    /// The database's clock when the write's transaction logged it, just before
    /// its commit: how far behind a reader is.
    public var committedAt: Instant

    public init(kind: Kind, projectID: String, id: String, key: String? = nil, version: Int64, committedAt: Instant) {
        self.kind = kind
        self.projectID = projectID
        self.id = id
        self.key = key
        self.version = version
        self.committedAt = committedAt
    }
}

/// The answer to `ChangeFeed.changes(after:limit:)`.
public struct ChangeBatch: Sendable {
    public var changes: [StoreChange]
    public var cursor: ChangeCursor
    /// False when the changes could not all be listed (more than the limit, or
    /// some already dropped from the log): `changes` is then empty and the
    /// reader must drop or revalidate everything it cached, then go on from `cursor`.
    public var isComplete: Bool

    public init(changes: [StoreChange], cursor: ChangeCursor, isComplete: Bool) {
        self.changes = changes
        self.cursor = cursor
        self.isComplete = isComplete
    }
}

/// A hint that the feed may have moved, or that hints stopped or resumed.
public enum ChangeDoorbell: Sendable, Hashable {
    /// Something was committed (by any writer, this one included): catch up.
    case rang
    /// Doorbells are arriving (again): anything may have been missed while they
    /// were not, so catch up now.
    case listening
    /// Doorbells stopped (the connection carrying them is gone); until
    /// `.listening`, only polling finds changes.
    case lost
}

/// The feed of a store that has no writer but this process: always empty.
public struct SingleWriterChangeFeed: ChangeFeed {
    public init() {}

    public func currentChangeCursor() async throws -> ChangeCursor { ChangeCursor(token: "single-writer") }

    public func changes(after cursor: ChangeCursor, limit: Int) async throws -> ChangeBatch {
        ChangeBatch(changes: [], cursor: cursor, isComplete: true)
    }

    /// Never rings: there is no other writer. Ends only when cancelled.
    public func doorbells() -> AsyncStream<ChangeDoorbell> {
        AsyncStream { continuation in continuation.yield(.listening) }
    }

    public var feedState: ChangeFeedState { ChangeFeedState(listening: true, outage: nil) }
}
