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

    /// Runs (or joins) an attempt for the code and waits for it, but at most
    /// `timeout` (nil: no limit) and not past the caller's cancellation; the
    /// attempt goes on after that and stores its outcome. Returns the code as
    /// stored after the attempt, or nil when the wait ended first.
    @discardableResult
    public func sync(codeID: Int64, waitingAtMost timeout: Duration? = nil) async -> AgentCode? {
        let task = attempt(codeID: codeID)
        let gate = FirstAnswer<AgentCode?>()
        // The timer stops as soon as the attempt answers: no sleeping task left behind per call.
        let timer: Task<Void, Never>? = timeout.map { timeout in
            Task {
                try? await Task.sleep(for: timeout)
                gate.answer(nil)
            }
        }
        Task {
            gate.answer(await task.value)
            timer?.cancel()
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { gate.arm($0) }
        } onCancel: {
            gate.answer(nil)
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
            // A code skipped again for want of credentials is already stored so
            // (and out of the outbox): no write for a call that changed nothing.
            if outcome.state != code.sync || retryAt != nil {
                try await store.recordSyncOutcome(codeID: codeID, state: outcome.state, retryAt: retryAt)
            }
            code.sync = outcome.state
            logger.debug(
                "shopify sync",
                metadata: [
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
/// dropped. An answer that comes before `arm` is kept for it.
final class FirstAnswer<T: Sendable>: Sendable {
    private enum State {
        case idle
        case armed(CheckedContinuation<T, Never>)
        case answered(T)
        case done
    }

    private let state = Mutex<State>(.idle)

    func arm(_ continuation: CheckedContinuation<T, Never>) {
        let early: T? = state.withLock { state in
            guard case .answered(let value) = state else {
                state = .armed(continuation)
                return nil
            }
            state = .done
            return value
        }
        if let early { continuation.resume(returning: early) }
    }

    func answer(_ value: T) {
        let continuation: CheckedContinuation<T, Never>? = state.withLock { state in
            switch state {
            case .idle:
                state = .answered(value)
                return nil
            case .armed(let continuation):
                state = .done
                return continuation
            case .answered, .done:
                return nil
            }
        }
        continuation?.resume(returning: value)
    }
}
