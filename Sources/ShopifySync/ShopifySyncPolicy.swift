import DiscountCore

/// How hard one sync attempt tries before it reports back.
public struct ShopifySyncPolicy: Sendable, Hashable {
    /// Failed requests (5xx, no answer, throttled) one attempt accepts before it reports back.
    public var maxFailures: Int
    /// Requests one attempt may send at most (creates and lookups together).
    public var maxRequests: Int
    /// Backoff after a 5xx or no answer, and before the worker's next attempt.
    public var backoff: Backoff
    /// Longest throttle or Retry-After wait taken inside an attempt; longer
    /// ones end the attempt as `shopify_rate_limited`, due again after the wait.
    public var maxInlineWaitSeconds: Double

    public init(maxFailures: Int = 3, maxRequests: Int = 8, backoff: Backoff = Backoff(), maxInlineWaitSeconds: Double = 2) {
        self.maxFailures = maxFailures
        self.maxRequests = maxRequests
        self.backoff = backoff
        self.maxInlineWaitSeconds = maxInlineWaitSeconds
    }
}

/// What one sync attempt decided: the code's new state, and when (if ever)
/// the background worker should try again.
public struct ShopifySyncOutcome: Sendable, Hashable {
    public var state: ShopifySyncState
    /// nil: not by itself (synced, or a person must act first).
    public var retryAfterSeconds: Double?

    public init(state: ShopifySyncState, retryAfterSeconds: Double?) {
        self.state = state
        self.retryAfterSeconds = retryAfterSeconds
    }
}
