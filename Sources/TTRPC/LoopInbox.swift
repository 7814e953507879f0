import Synchronization

/// Where any thread drops items for one event loop to handle in a batch.
///
/// Only the first drop after a drain ended schedules the next one, and drops
/// made while a drain runs join it, so a burst (a group commit resuming
/// hundreds of calls, a call's own hops) costs the loop one wake-up and one
/// task, not one per item.
final class LoopInbox<Item: Sendable>: Sendable {
    private struct State {
        var items: [Item] = []
        var drainScheduled = false
    }

    private let state = Mutex(State())

    /// Adds an item; true when the caller must schedule a drain.
    func put(_ item: Item) -> Bool {
        state.withLock { state in
            state.items.append(item)
            guard !state.drainScheduled else { return false }
            state.drainScheduled = true
            return true
        }
    }

    /// Hands items to `handle`, batch by batch, until none are left (the next
    /// `put` then schedules a drain again) or `maxBatches` were taken. True
    /// when it stopped with items left: the caller schedules another drain,
    /// so other work on the loop runs in between.
    func drain(maxBatches: Int = .max, _ handle: (Item) -> Void) -> Bool {
        for _ in 0..<maxBatches {
            let batch = state.withLock { state in
                if state.items.isEmpty { state.drainScheduled = false }
                defer { state.items.removeAll(keepingCapacity: true) }
                return state.items
            }
            if batch.isEmpty { return false }
            batch.forEach(handle)
        }
        return true
    }
}
