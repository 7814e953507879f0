import Synchronization

/// A bounded map that keeps the newest copy of each value.
///
/// Two generations approximate LRU in O(1): entries live in `young`; when it
/// fills half the capacity it becomes `old` and the previous `old` is dropped;
/// a hit in `old` moves the entry back to `young`. A value replaces a cached
/// one only if its version is higher, so a slow read cannot undo a newer write.
final class VersionedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private typealias Generation = [Key: (value: Value, version: Int64)]

    private struct State {
        var young: Generation = [:]
        var old: Generation = [:]
        var hits: UInt64 = 0
        var misses: UInt64 = 0
    }

    private let state = Mutex(State())
    private let generationSize: Int

    init(capacity: Int) {
        generationSize = max(1, capacity / 2)
    }

    func value(for key: Key) -> Value? {
        state.withLock { state in
            if let entry = state.young[key] {
                state.hits += 1
                return entry.value
            }
            if let entry = state.old.removeValue(forKey: key) {
                state.hits += 1
                // Rare (a hit in the old generation that also fills the young
                // one): freeing under the lock is acceptable here.
                _ = Self.insert(key, entry, into: &state, generationSize: generationSize)
                return entry.value
            }
            state.misses += 1
            return nil
        }
    }

    /// Stores `value` unless the cache holds a copy at least as new.
    func put(_ key: Key, _ value: Value, version: Int64) {
        let dropped = state.withLock { state -> Generation? in
            if let cached = state.young[key] ?? state.old[key], cached.version >= version { return nil }
            state.old[key] = nil
            return Self.insert(key, (value, version), into: &state, generationSize: generationSize)
        }
        _ = consume dropped
    }

    /// Stores `value` whatever is cached: for entries without versions.
    func set(_ key: Key, _ value: Value) {
        let dropped = state.withLock { state -> Generation? in
            state.old[key] = nil
            return Self.insert(key, (value, 0), into: &state, generationSize: generationSize)
        }
        _ = consume dropped
    }

    func remove(_ key: Key) {
        state.withLock { state in
            state.young[key] = nil
            state.old[key] = nil
        }
    }

    /// Forgets the entry unless it is at least as new as `version` (0: whatever it is).
    func remove(_ key: Key, olderThan version: Int64) {
        state.withLock { state in
            if let cached = state.young[key] ?? state.old[key], version > 0, cached.version >= version { return }
            state.young[key] = nil
            state.old[key] = nil
        }
    }

    func removeAll() {
        // Freed when this returns, after unlocking.
        let dropped = state.withLock { state -> (Generation, Generation) in
            defer {
                state.young = [:]
                state.old = [:]
            }
            return (state.young, state.old)
        }
        withExtendedLifetime(dropped) {}
    }

    func removeAll(where shouldRemove: (Key, Value) -> Bool) {
        state.withLock { state in
            state.young = state.young.filter { !shouldRemove($0.key, $0.value.value) }
            state.old = state.old.filter { !shouldRemove($0.key, $0.value.value) }
        }
    }

    var counts: (hits: UInt64, misses: UInt64, entries: Int) {
        state.withLock { ($0.hits, $0.misses, $0.young.count + $0.old.count) }
    }

    /// Returns the generation it retired, if any, for the caller to free
    /// after unlocking: freeing thousands of entries must not hold the lock.
    private static func insert(
        _ key: Key, _ entry: (value: Value, version: Int64), into state: inout State, generationSize: Int
    ) -> Generation? {
        var dropped: Generation?
        if state.young.count >= generationSize {
            dropped = state.old
            state.old = state.young
            state.young = Generation(minimumCapacity: generationSize)
        }
        state.young[key] = entry
        return dropped
    }
}
