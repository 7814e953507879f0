import DiscountStore
import Synchronization

/// Counts the operations under way so that `close()` can wait for them, and
/// refuses new ones once closing has begun.
final class OperationGate: Sendable {
    private struct State {
        var running = 0
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func enter() throws(StoreError) {
        let admitted = state.withLock { state in
            guard !state.closed else { return false }
            state.running += 1
            return true
        }
        guard admitted else { throw .closed }
    }

    func leave() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.closed, state.running == 0 else { return [] }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Refuses new operations and returns once those under way have finished.
    func close() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                state.closed = true
                if state.running == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}
