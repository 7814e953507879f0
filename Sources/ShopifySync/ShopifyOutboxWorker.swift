import DiscountCore
import DiscountStore
import Logging
import ServiceLifecycle

/// The background half of the sync: sends every due outbox entry to Shopify,
/// a few at a time, and sleeps until the next one is due. The outbox lives in
/// the store, so whatever was pending when the daemon stopped is sent after it starts.
public struct ShopifyOutboxWorker: Service {
    let store: any CommissionStore
    let syncer: ShopifySyncer
    let logger: Logger
    /// Attempts run at once.
    let concurrency: Int
    /// Longest sleep when idle: new entries made by calls are picked up within it.
    let idlePoll: Duration

    public init(
        store: any CommissionStore, syncer: ShopifySyncer, logger: Logger, concurrency: Int = 4,
        idlePoll: Duration = .milliseconds(500)
    ) {
        self.store = store
        self.syncer = syncer
        self.logger = logger
        self.concurrency = concurrency
        self.idlePoll = idlePoll
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let due = try await store.dueOutbox(now: .now(), limit: concurrency * 8)
                    if due.isEmpty {
                        try await Task.sleep(for: try await idleSleep())
                        continue
                    }
                    await withTaskGroup(of: Void.self) { group in
                        var running = 0
                        for entry in due {
                            if running == concurrency {
                                await group.next()
                                running -= 1
                            }
                            group.addTask { await syncer.sync(codeID: entry.codeID) }
                            running += 1
                        }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("shopify outbox", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: idlePoll)
                }
            }
        }
    }

    /// Until the next entry is due, but no longer than `idlePoll`.
    private func idleSleep() async throws -> Duration {
        guard let next = try await store.nextOutboxDue() else { return idlePoll }
        let micros = max(0, next.microseconds - Instant.now().microseconds)
        return min(idlePoll, .microseconds(micros))
    }
}
