import Crypto
import DiscountCore
import DiscountStore
import TTRPC

/// `idempotency-key` on writes (DESIGN.md §2): the same key within 24 hours
/// returns the first answer; the same key with a different request is refused.
struct IdempotencyGuard: Sendable {
    static let metadataKey = "idempotency-key"

    let store: any Store
    let gate = KeyedGate()

    /// Runs `body` once per key. `kept` turns its answer into what the record
    /// stores and a retry replays: a secret in the answer (a new token) is
    /// shown once and never stored.
    func run(
        projectID: String, context: CallContext, payload: [UInt8],
        kept: @Sendable ([UInt8]) throws -> [UInt8] = { $0 },
        _ body: () async throws -> [UInt8]
    ) async throws -> [UInt8] {
        guard let key = context.metadata[Self.metadataKey] else { return try await body() }
        guard (1...255).contains(key.utf8.count) else {
            throw ServiceError.invalidArgument(field: Self.metadataKey, "idempotency-key must be 1 to 255 bytes")
        }
        let method = "\(context.service)/\(context.method)"
        let requestHash = SHA256.hash(data: payload).map { String($0, radix: 16) }.joined(separator: ":")
        // Calls racing with the same key run one after another, so only the
        // first executes and the rest replay its answer.
        let slot = "\(projectID)\u{0}\(key)"
        await gate.enter(slot)
        do {
            let answer = try await firstAnswer(
                projectID: projectID, key: key, method: method, requestHash: requestHash, kept: kept, body)
            await gate.leave(slot)
            return answer
        } catch {
            await gate.leave(slot)
            throw error
        }
    }

    private func firstAnswer(
        projectID: String, key: String, method: String, requestHash: String,
        kept: @Sendable ([UInt8]) throws -> [UInt8], _ body: () async throws -> [UInt8]
    ) async throws -> [UInt8] {
        let now = Instant.now()
        if let first = try await store.idempotencyRecord(projectID: projectID, key: key), first.isLive(at: now) {
            return try Self.replay(first, method: method, requestHash: requestHash)
        }
        let response = try await body()
        // The write has committed: its record is saved even when the call's
        // deadline cancels it now (a new task does not inherit the
        // cancellation), so a retry with the key replays this answer instead
        // of writing again.
        let record = IdempotencyRecord(
            projectID: projectID, key: key, method: method, requestHash: requestHash, response: try kept(response),
            createdAt: now)
        let saved = try await Task { [store] in try await store.saveIdempotencyRecord(record) }.value
        // This call's own answer goes back whole; had another daemon on a
        // shared store committed first, its (kept) answer stands.
        if saved == record { return response }
        return try Self.replay(saved, method: method, requestHash: requestHash)
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
        let requestHash = SHA256.hash(data: payload).map { String($0, radix: 16) }.joined(separator: ":")
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
