import DiscountCore
import DiscountStore
import Logging
import ServiceLifecycle

/// Deletes idempotency records once their 24 hours are over, at start and
/// then every `interval`, a bounded chunk per transaction so calls keep their
/// share of the writer. Expired records are never answered from again (a
/// reused key starts afresh); without this they would pile up for good.
struct IdempotencyPurgeService: Service {
    let store: any Store
    let logger: Logger
    var interval: Duration = .seconds(600)
    var chunk = 5_000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await purgeExpired()
                try? await Task.sleep(for: interval)
            }
        }
    }

    private func purgeExpired() async {
        let cutoff = Instant.now().adding(seconds: -IdempotencyRecord.retentionSeconds)
        var purged = 0
        do {
            while !Task.isCancelled {
                let deleted = try await store.purgeIdempotencyRecords(createdBefore: cutoff, limit: chunk)
                purged += deleted
                if deleted < chunk { break }
            }
        } catch is CancellationError {
            return
        } catch {
            logger.warning("idempotency purge", metadata: ["error": "\(error)"])
        }
        if purged > 0 { logger.info("purged expired idempotency records", metadata: ["count": "\(purged)"]) }
    }
}
