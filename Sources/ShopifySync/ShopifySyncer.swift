import DiscountCore
import DiscountStore
import Logging
import Synchronization

/// Syncs agent codes to Shopify, one attempt per code at a time: a code the
/// worker is sending and an agent is asking for shares one attempt. Each
/// attempt's outcome is stored (and the outbox updated) before it is reported.
public actor ShopifySyncer {
    let store: any CommissionStore
    let sync: ShopifyCodeSync
    let logger: Logger
    private var inFlight: [Int64: Task<AgentCode?, Never>] = [:]

    public init(store: any CommissionStore, client: ShopifyAdminClient, policy: ShopifySyncPolicy = .init(), logger: Logger) {
        self.store = store
        self.sync = ShopifyCodeSync(client: client, policy: policy)
        self.logger = logger
    }

    /// Runs (or joins) an attempt for the code; returns the code as stored after it.
    @discardableResult
    public func sync(codeID: Int64) async -> AgentCode? {
        await attempt(codeID: codeID).value
    }

    /// Runs (or joins) an attempt, but waits at most `timeout` for it; the
    /// attempt goes on after that and stores its outcome. nil when it did not finish in time.
    public func sync(codeID: Int64, waitingAtMost timeout: Duration) async -> AgentCode? {
        let task = attempt(codeID: codeID)
        let gate = FirstAnswer<AgentCode?>()
        return await withCheckedContinuation { continuation in
            gate.arm(continuation)
            Task { gate.answer(await task.value) }
            Task {
                try? await Task.sleep(for: timeout)
                gate.answer(nil)
            }
        }
    }

    private func attempt(codeID: Int64) -> Task<AgentCode?, Never> {
        if let running = inFlight[codeID] { return running }
        let task = Task { await self.runAttempt(codeID: codeID) }
        inFlight[codeID] = task
        return task
    }

    private func finished(codeID: Int64) {
        inFlight[codeID] = nil
    }

    private func runAttempt(codeID: Int64) async -> AgentCode? {
        defer { finished(codeID: codeID) }
        do {
            guard var code = try await store.agentCode(id: codeID) else { return nil }
            if code.sync.status == .synced {
                try await store.recordSyncOutcome(codeID: codeID, state: code.sync, retryAt: nil)
                return code
            }
            guard let campaign = try await store.campaign(projectID: code.projectID, id: code.campaignID) else {
                // Nothing to describe the discount with: drop it from the outbox rather than spin on it.
                try await store.recordSyncOutcome(codeID: codeID, state: code.sync, retryAt: nil)
                return code
            }
            let credentials = try await store.shopifyCredentials(projectID: code.projectID)
            let outcome = await sync.run(
                spec: ShopifyDiscountSpec(code: code, campaign: campaign), credentials: credentials,
                previousAttempts: code.sync.attempts)
            let retryAt = outcome.retryAfterSeconds.map {
                Instant(microseconds: Instant.now().microseconds + Int64($0 * 1_000_000))
            }
            try await store.recordSyncOutcome(codeID: codeID, state: outcome.state, retryAt: retryAt)
            code.sync = outcome.state
            logger.debug("shopify sync", metadata: [
                "code": "\(code.code)", "status": "\(outcome.state.status.rawValue)",
                "error": "\(outcome.state.error?.rawValue ?? "-")",
            ])
            return code
        } catch {
            logger.warning("shopify sync could not use the store", metadata: ["code_id": "\(codeID)", "error": "\(error)"])
            return nil
        }
    }
}

/// Resumes a continuation with whichever answer comes first; later ones are
/// dropped. `arm` must come before any `answer`.
final class FirstAnswer<T: Sendable>: Sendable {
    private let state = Mutex<CheckedContinuation<T, Never>?>(nil)

    func arm(_ continuation: CheckedContinuation<T, Never>) {
        state.withLock { $0 = continuation }
    }

    func answer(_ value: T) {
        let continuation = state.withLock { state in
            defer { state = nil }
            return state
        }
        continuation?.resume(returning: value)
    }
}
