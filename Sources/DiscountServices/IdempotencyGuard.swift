import Crypto
import DiscountCore
import DiscountStore
import TTRPC

/// `idempotency-key` on writes (DESIGN.md §3, idempotency): the same key within 24 hours
/// returns the first answer; the same key with a different request is refused.
struct IdempotencyGuard: Sendable {
    static let metadataKey = "idempotency-key"

    let store: any Store
    let gate = KeyedGate()

    /// Runs `body` once per key: a live answer under the key is replayed; else
    /// `body` runs with the key to claim in its write (`ServiceCall.write`),
    /// so the write and the record of its answer commit together. Calls racing
    /// with one key run one after another in this process; across daemons the
    /// store's claim decides (`StoreError.replay`: another got there first).
    func run(
        projectID: String, context: CallContext, payload: [UInt8],
        kept: @escaping @Sendable ([UInt8]) -> [UInt8] = { $0 },
        _ body: (IdempotencyKeyUse?) async throws -> [UInt8]
    ) async throws -> [UInt8] {
        guard let key = context.metadata[Self.metadataKey] else { return try await body(nil) }
        guard (1...255).contains(key.utf8.count) else {
            throw ServiceError.invalidArgument(field: Self.metadataKey, "idempotency-key must be 1 to 255 bytes")
        }
        let use = IdempotencyKeyUse(
            projectID: projectID, key: key, method: "\(context.service)/\(context.method)",
            requestHash: IdempotencyKeyUse.hash(payload), createdAt: .now(), kept: kept)
        let slot = "\(projectID)\u{0}\(key)"
        await gate.enter(slot)
        do {
            let answer = try await firstAnswer(use, body)
            await gate.leave(slot)
            return answer
        } catch {
            await gate.leave(slot)
            throw error
        }
    }

    private func firstAnswer(
        _ use: IdempotencyKeyUse, _ body: (IdempotencyKeyUse?) async throws -> [UInt8]
    ) async throws -> [UInt8] {
        if let first = try await store.idempotencyRecord(projectID: use.projectID, key: use.key),
            first.isLive(at: use.createdAt)
        {
            return try Self.replay(first, method: use.method, requestHash: use.requestHash)
        }
        let response: [UInt8]
        do {
            response = try await body(use)
        } catch StoreError.replay(let first) {
            return try Self.replay(first, method: use.method, requestHash: use.requestHash)
        }
        // A handler whose answer is not one store write's (a backup, say)
        // did not claim the key in a write: its answer is kept now, in a task
        // of its own so that a deadline cancelling this call cannot lose it.
        if !use.attached.isSet {
            let record = IdempotencyRecord(
                projectID: use.projectID, key: use.key, method: use.method, requestHash: use.requestHash,
                response: use.kept(response), createdAt: use.createdAt)
            let saved = try await Task { [store] in try await store.saveIdempotencyRecord(record) }.value
            if saved != record { return try Self.replay(saved, method: use.method, requestHash: use.requestHash) }
        }
        return response
    }

    /// A bulk operation: with a key, one run at a time per key; a finished
    /// one replays its final message, an unfinished one goes on from its
    /// checkpoint, and the final message is saved as the key's record (the
    /// checkpoint dropped) in one transaction.
    func runBulk(
        projectID: String, context: CallContext, payload: [UInt8], shutdown: ShutdownSignal,
        _ body: (BulkRun) async throws -> [UInt8]
    ) async throws -> [UInt8] {
        guard let key = context.metadata[Self.metadataKey] else {
            return try await body(BulkRun(resumed: nil, shutdown: shutdown, owner: nil))
        }
        guard (1...255).contains(key.utf8.count) else {
            throw ServiceError.invalidArgument(field: Self.metadataKey, "idempotency-key must be 1 to 255 bytes")
        }
        let method = "\(context.service)/\(context.method)"
        let requestHash = IdempotencyKeyUse.hash(payload)
        let slot = "\(projectID)\u{0}\(key)"
        await gate.enter(slot)
        do {
            let now = Instant.now()
            let answer: [UInt8]
            if let first = try await store.idempotencyRecord(projectID: projectID, key: key), first.isLive(at: now) {
                answer = try Self.replay(first, method: method, requestHash: requestHash)
            } else {
                let checkpoint = try await store.bulkCheckpoint(projectID: projectID, key: key)
                if let checkpoint, checkpoint.method != method || checkpoint.requestHash != requestHash {
                    throw Self.reused
                }
                let owner = BulkRun.Owner(projectID: projectID, key: key, method: method, requestHash: requestHash)
                let final = try await body(BulkRun(resumed: checkpoint, shutdown: shutdown, owner: owner))
                let record = IdempotencyRecord(
                    projectID: projectID, key: key, method: method, requestHash: requestHash, response: final, createdAt: now)
                let saved = try await Task { [store] in try await store.finishBulk(record) }.value
                answer = saved == record ? final : try Self.replay(saved, method: method, requestHash: requestHash)
            }
            await gate.leave(slot)
            return answer
        } catch {
            await gate.leave(slot)
            throw error
        }
    }

    private static let reused = ServiceError(
        .failedPrecondition, reason: "IDEMPOTENCY_KEY_REUSED",
        "idempotency-key was already used for a different request",
        hint: "Use a new key for a new request; reuse a key only to retry the same request.",
        field: metadataKey)

    private static func replay(_ record: IdempotencyRecord, method: String, requestHash: String) throws -> [UInt8] {
        guard record.method == method, record.requestHash == requestHash else { throw reused }
        return record.response
    }
}

/// One holder per key at a time; the others wait in arrival order.
actor KeyedGate {
    private var waiting: [String: [CheckedContinuation<Void, Never>]] = [:]

    func enter(_ key: String) async {
        if waiting[key] == nil {
            waiting[key] = []
            return
        }
        await withCheckedContinuation { waiting[key]!.append($0) }
    }

    func leave(_ key: String) {
        guard var queue = waiting[key] else { return }
        if queue.isEmpty {
            waiting[key] = nil
        } else {
            queue.removeFirst().resume()
            waiting[key] = queue
        }
    }
}
