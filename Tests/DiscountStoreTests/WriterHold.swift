import Foundation
import Synchronization

@testable import DiscountStoreSQLite

/// Occupies the store's writer thread with one job until `release()` (or
/// 10 s): writes queued meanwhile wait for it, as behind a long transaction.
struct WriterHold {
    private final class Flags: Sendable {
        let started = Atomic<Bool>(false)
        let released = Atomic<Bool>(false)
    }

    private let flags = Flags()
    private let job: Task<Void, any Error>

    private init(_ store: SQLiteStore) {
        let flags = flags
        job = Task {
            try await store.write { _ in
                flags.started.store(true, ordering: .sequentiallyConsistent)
                for _ in 0..<10_000 where !flags.released.load(ordering: .sequentiallyConsistent) { usleep(1_000) }
            }
        }
    }

    /// Returns once the holding job runs on the writer.
    static func start(_ store: SQLiteStore) async -> WriterHold {
        let hold = WriterHold(store)
        while !hold.flags.started.load(ordering: .sequentiallyConsistent) { await Task.yield() }
        return hold
    }

    /// Lets the writer go on and waits for the holding job's commit.
    func release() async throws {
        flags.released.store(true, ordering: .sequentiallyConsistent)
        try await job.value
    }
}
