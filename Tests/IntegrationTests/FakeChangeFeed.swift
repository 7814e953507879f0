import DiscountCore
import DiscountStore
import Foundation
import Synchronization

/// A change feed the test writes: what another daemon's writes would put in
/// a shared store's log. Its cursor is the number of changes seen.
final class FakeChangeFeed: ChangeFeed {
    private struct State {
        var changes: [StoreChange] = []
        var doorbells: [UUID: AsyncStream<ChangeDoorbell>.Continuation] = [:]
        /// Set: every read fails, as when the database cannot be reached.
        var outage: String?
        /// Set: the next read answers an incomplete batch (the log was pruned past the reader).
        var missNextBatch = false
    }

    private let state = Mutex(State())

    /// Logs a change another writer committed, and rings.
    func append(_ change: StoreChange) {
        state.withLock { $0.changes.append(change) }
        ring(.rang)
    }

    /// Changes are lost before the reader got to them: its next batch is incomplete.
    func missChanges() {
        state.withLock { $0.missNextBatch = true }
        ring(.rang)
    }

    /// The database goes away (`outage` non-nil) or comes back.
    func setOutage(_ outage: String?) {
        state.withLock { $0.outage = outage }
        ring(outage == nil ? .listening : .lost)
    }

    func currentChangeCursor() async throws -> ChangeCursor {
        try state.withLock { state in
            if let outage = state.outage { throw StoreError.unavailable(outage) }
            return ChangeCursor(token: String(state.changes.count))
        }
    }

    func changes(after cursor: ChangeCursor, limit: Int) async throws -> ChangeBatch {
        try state.withLock { state in
            if let outage = state.outage { throw StoreError.unavailable(outage) }
            let next = ChangeCursor(token: String(state.changes.count))
            if state.missNextBatch {
                state.missNextBatch = false
                return ChangeBatch(changes: [], cursor: next, isComplete: false)
            }
            let seen = Int(cursor.token) ?? 0
            let unseen = Array(state.changes[seen...])
            guard unseen.count <= limit else { return ChangeBatch(changes: [], cursor: next, isComplete: false) }
            return ChangeBatch(changes: unseen, cursor: next, isComplete: true)
        }
    }

    func doorbells() -> AsyncStream<ChangeDoorbell> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: ChangeDoorbell.self, bufferingPolicy: .bufferingNewest(8))
        state.withLock { state in
            state.doorbells[id] = continuation
            if state.outage == nil { continuation.yield(.listening) }
        }
        continuation.onTermination = { [weak self] _ in _ = self?.state.withLock { $0.doorbells.removeValue(forKey: id) } }
        return stream
    }

    var feedState: ChangeFeedState {
        state.withLock { ChangeFeedState(listening: $0.outage == nil, outage: $0.outage) }
    }

    private func ring(_ doorbell: ChangeDoorbell) {
        for continuation in state.withLock({ Array($0.doorbells.values) }) { continuation.yield(doorbell) }
    }
}
