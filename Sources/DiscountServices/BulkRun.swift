import DiscountCore
import DiscountStore

/// What a bulk operation (BatchCreateDiscountCodes, AddVoucherCodes) needs to
/// be resumable and to stop cleanly.
///
/// The rule: a bulk operation commits chunk by chunk, and each progress
/// message counts committed work only. When the call ends early (deadline,
/// cancellation, shutdown), committed chunks stay. With an `idempotency-key`,
/// each chunk commits together with a checkpoint, and a retry with the key
/// goes on from the last one: a batch is never stored twice, and a retry
/// after it finished gets its result again.
struct BulkRun: Sendable {
    /// Where this run goes on from; nil for a fresh one.
    let resumed: BulkCheckpoint?
    let shutdown: ShutdownSignal
    /// Who the checkpoints are for: nil without an idempotency key.
    let owner: Owner?

    struct Owner: Sendable {
        let projectID: String
        let key: String
        let method: String
        let requestHash: String
    }

    /// What the store saves with a chunk, made from the chunk's outcome by
    /// `progress` (inputs handled, tally so far); nil without a key.
    func checkpoints<Outcome>(
        _ progress: @escaping @Sendable (Outcome) -> (processed: Int, tally: [UInt8])
    ) -> (@Sendable (Outcome) -> BulkCheckpoint)? {
        guard let owner else { return nil }
        return { outcome in
            let (processed, tally) = progress(outcome)
            return BulkCheckpoint(
                projectID: owner.projectID, key: owner.key, method: owner.method, requestHash: owner.requestHash,
                processed: Int64(processed), tally: tally, updatedAt: .now())
        }
    }

    /// Before each chunk: once the daemon is shutting down, stop and say how
    /// far the operation got.
    func checkShutdown(committed: Int, of total: Int, what: String) throws {
        guard shutdown.isRaised else { return }
        throw ServiceError(
            .unavailable, reason: "SHUTTING_DOWN",
            "The daemon is shutting down: \(committed) of \(total) \(what) were committed.",
            hint: owner == nil
                ? "Committed chunks stay. Sending the request again would start over; send it with an idempotency-key to make it resumable."
                : "Send the request again with the same idempotency-key: it goes on from there.")
    }
}
