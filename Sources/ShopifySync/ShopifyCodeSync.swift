import DiscountCore

/// One attempt to put one agent code on the shop, following Shopify's rules
/// for safe retries: after a 5xx or a timeout the mutation may have been
/// applied, so the code is looked up (codeDiscountNodeByCode) before it is
/// created again; `TAKEN` is ours when the existing discount has our title.
///
/// Every way it can end maps to one documented sync error code: 401 →
/// missing_shopify_credentials; ACCESS_DENIED, 403 or an ungranted scope →
/// shopify_scope_missing; TAKEN by someone else → discount_code_conflict;
/// THROTTLED or 429 past the retries → shopify_rate_limited; other userErrors
/// (and a frozen or locked shop) → shopify_sync_failed; 5xx, no answer in
/// time, a TLS failure or an answer it cannot read → unexpected_shopify_discount_error.
struct ShopifyCodeSync {
    let client: ShopifyAdminClient
    let policy: ShopifySyncPolicy

    func run(
        spec: ShopifyDiscountSpec, credentials: ShopifyCredentials?, previousAttempts: Int64
    ) async -> ShopifySyncOutcome {
        let attempts = previousAttempts + 1
        func outcome(
            _ status: ShopifySyncStatus, _ error: ShopifySyncError?, id: String? = nil, retry: Double? = nil
        ) -> ShopifySyncOutcome {
            ShopifySyncOutcome(
                state: ShopifySyncState(status: status, error: error, shopifyDiscountID: id, attempts: attempts),
                retryAfterSeconds: retry)
        }
        guard let credentials else {
            // Nothing was sent: not an attempt.
            return ShopifySyncOutcome(
                state: ShopifySyncState(
                    status: .skippedNoCredentials, error: .missingShopifyCredentials, attempts: previousAttempts),
                retryAfterSeconds: nil)
        }
        // Both scopes or nothing: a code we could create but never look up
        // again could not be recovered safely after a lost answer.
        guard ShopifyScopes.missing(from: credentials.grantedScopes).isEmpty else {
            return outcome(.failed, .shopifyScopeMissing)
        }

        var mustLookUp = false
        var wasTaken = false
        var failures = 0
        var lastFailure: ShopifySyncError = .unexpectedShopifyDiscountError
        var requests = 0
        while canRetry(failures, requests) {
            requests += 1
            let operation: ShopifyOperation = mustLookUp ? .lookup : .create
            let answer = await client.send(
                operation, spec, shopDomain: credentials.shopDomain, accessToken: credentials.accessToken)
            switch answer {
            case .created(let id):
                return outcome(.synced, nil, id: id)
            case .found(let id, let title):
                // Found after an unclear create: ours if the title says so.
                if title == spec.title { return outcome(.synced, nil, id: id) }
                return outcome(.failed, .discountCodeConflict)
            case .notFound:
                // TAKEN yet not a code discount we can see: someone else's.
                if wasTaken { return outcome(.failed, .discountCodeConflict) }
                mustLookUp = false
                continue  // The earlier create did not land: create now, without waiting.
            case .taken:
                // Ours from an earlier attempt that lost its answer, or the merchant's: the lookup tells.
                wasTaken = true
                mustLookUp = true
                continue
            // Answers that need someone to act; the next call tries again.
            case .refused, .shopUnavailable:
                return outcome(.failed, .shopifySyncFailed)
            case .accessDenied:
                return outcome(.failed, .shopifyScopeMissing)
            case .invalidToken:
                return outcome(.failed, .missingShopifyCredentials)
            case .unexpected, .tlsRefused:
                return outcome(.failed, .unexpectedShopifyDiscountError)
            // Answers worth waiting out, within the attempt or by the worker later.
            case .throttled(let wait), .retryAfter(let wait?):
                lastFailure = .shopifyRateLimited
                failures += 1
                if wait > policy.maxInlineWaitSeconds || !canRetry(failures, requests) {
                    return outcome(.failed, .shopifyRateLimited, retry: max(wait, 0.05))
                }
                await sleep(seconds: wait)
            case .retryAfter(nil):
                lastFailure = .shopifyRateLimited
                failures += 1
                if !canRetry(failures, requests) { return outcome(.failed, .shopifyRateLimited, retry: 1) }
                await sleep(seconds: 1)
            case .serverError, .noAnswer:
                lastFailure = .unexpectedShopifyDiscountError
                if operation == .create { mustLookUp = true }
                failures += 1
                if canRetry(failures, requests) { await sleep(seconds: policy.backoff.delay(attempt: failures - 1)) }
            }
            if Task.isCancelled { break }
        }
        return outcome(
            .failed, lastFailure, retry: policy.backoff.ceiling(attempt: Int(min(attempts, 20))))
    }

    private func canRetry(_ failures: Int, _ requests: Int) -> Bool {
        failures < policy.maxFailures && requests < policy.maxRequests
    }

    private func sleep(seconds: Double) async {
        try? await Task.sleep(for: .milliseconds(Int((seconds * 1000).rounded(.up))))
    }
}
