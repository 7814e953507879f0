import DiscountStore
import Foundation
import Synchronization
import Testing

@testable import DiscountStoreSQLite

/// A write job as the writer thread drives it.
@Suite struct SQLiteWriteJobTests {
    /// A batch that fails runs again with a savepoint per job, so a job can
    /// run twice: what it says about space is what its last run found.
    @Test func aJobThatRanOutOfSpaceThenSucceededDidNotRunOutOfSpace() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("job-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let connection = try SQLiteConnection(path: path, role: .writer(.normal))
        let runs = Atomic(0)
        let job = SQLiteTypedWriteJob(weight: 1) { _ in
            if runs.add(1, ordering: .relaxed).newValue == 1 { throw StoreError.storageFull }
            return 7
        }

        #expect(!job.run(on: connection))
        #expect(job.ranOutOfSpace)
        #expect(job.run(on: connection))
        #expect(!job.ranOutOfSpace)
    }
}
