import DiscountCore
import DiscountStore
import Foundation
import Synchronization
import Testing

@testable import DiscountStoreSQLite

/// What only the SQLite backend promises: group commit, the file, the schema.
@Suite struct SQLiteStoreTests {
    @Test func concurrentWritesShareCommits() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            let before = store.commitCount
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<500 {
                    group.addTask { try await store.insertDiscountCode(Fixtures.code("GC-\(i)", rule: rule)) }
                }
                try await group.waitForAll()
            }
            let commits = store.commitCount - before
            #expect(try await store.countDiscountCodes(projectID: Project.defaultID) == 500)
            #expect(commits < 250, "500 concurrent inserts took \(commits) commits")
        }
    }

    /// One write at a time past the log's checkpoint mark: the checkpoint
    /// thread used to be asked again by every commit while it chased the last
    /// few frames, two fsyncs a pass beside the writer's (over a hundred passes
    /// here). Now it hands those frames to the idle writer, and the log starts
    /// over: a few passes per 5,000 frames.
    @Test func sequentialWritesLeaveTheLastFramesToTheIdleWriter() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            // About five frames a commit: past the 5,000-frame mark twice.
            for i in 0..<2_500 {
                try await store.insertDiscountCode(Fixtures.code("SEQ-\(i)", rule: rule))
            }
            let passes = store.checkpointPasses
            #expect(passes.background >= 1)
            #expect(passes.background <= 30, "the checkpoint thread ran \(passes.background) passes")
            #expect(passes.writer >= 1, "the writer never finished a checkpoint")
        }
    }

    /// A long read (a backup, an export) pins the log after its snapshot, so
    /// no pass can copy what commits add while it lasts. Every commit past the
    /// mark used to ask for another pass (over a thousand here, each one
    /// wasted), and past the writer's mark ran one itself before its callers
    /// heard back; now one per `passSpacing` frames the log grows.
    @Test func aPinnedLogIsNotChasedByEveryCommit() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        try await closing(store) {
            let rule = try await store.insertedRule()
            let reader = try SQLiteConnection(path: fixture.path, role: .reader)
            defer { reader.close() }
            try reader.execute("BEGIN")
            _ = try reader.scalarInt64("SELECT count(*) FROM discount_codes")
            // About five frames a commit: past the 5,000-frame mark, and 3,000
            // frames past the writer's at 20,000.
            for i in 0..<4_600 {
                try await store.insertDiscountCode(Fixtures.code("PIN-\(i)", rule: rule))
            }
            try reader.execute("COMMIT")
            let passes = store.checkpointPasses
            #expect(passes.background >= 1)
            #expect(passes.background <= 18, "the checkpoint thread ran \(passes.background) passes")
            #expect(passes.writer >= 1)
            #expect(passes.writer <= 5, "the writer ran \(passes.writer) passes")
        }
    }

    @Test func checkpointPassesAreSpacedByLogGrowth() {
        let mark = SQLiteCheckpointer.backgroundFrames
        let spacing = SQLiteCheckpointer.passSpacing
        #expect(!SQLiteCheckpointer.wantsPass(frames: mark - 1, lastRequest: 0))
        #expect(SQLiteCheckpointer.wantsPass(frames: mark, lastRequest: 0))
        // A pass was asked for at `mark` frames: the next waits for `spacing` more.
        #expect(!SQLiteCheckpointer.wantsPass(frames: mark + spacing - 1, lastRequest: mark))
        #expect(SQLiteCheckpointer.wantsPass(frames: mark + spacing, lastRequest: mark))
        // The log started over since (it is shorter than at the last request).
        #expect(SQLiteCheckpointer.wantsPass(frames: mark, lastRequest: mark + 1))
    }

    @Test func failedWriteRollsBackOnlyItselfInAGroup() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("TAKEN", rule: rule))
            let results = await withTaskGroup(of: Bool.self) { group in
                for i in 0..<100 {
                    group.addTask {
                        let text = i % 10 == 0 ? "taken" : "FINE-\(i)"
                        return (try? await store.insertDiscountCode(Fixtures.code(text, rule: rule))) != nil
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            #expect(results.filter { $0 }.count == 90)
            #expect(try await store.countDiscountCodes(projectID: Project.defaultID) == 91)
        }
    }

    /// A job that ends the shared transaction itself takes the group's work
    /// with it: every caller must hear so, and what callers were told must
    /// match what the file holds.
    @Test func aLostTransactionFailsEveryJobInIt() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            let outcomes = await withTaskGroup(of: (String?, Bool).self) { group in
                for i in 0..<200 {
                    group.addTask {
                        if i == 100 {
                            let ok = (try? await store.write { try $0.execute("ROLLBACK") }) != nil
                            return (nil, ok)
                        }
                        let text = "LOST-\(i)"
                        let ok = (try? await store.insertDiscountCode(Fixtures.code(text, rule: rule))) != nil
                        return (text, ok)
                    }
                }
                return await group.reduce(into: [(String?, Bool)]()) { $0.append($1) }
            }
            #expect(outcomes.contains { $0.0 == nil && $0.1 == false })
            for case (let text?, let acknowledged) in outcomes {
                let stored = try await store.discountCode(projectID: rule.projectID, canonicalCode: text) != nil
                #expect(stored == acknowledged, "\(text): acknowledged \(acknowledged), stored \(stored)")
            }
            // The writer carries on.
            try await store.insertDiscountCode(Fixtures.code("AFTER", rule: rule))
        }
    }

    @Test func createsAPrivateFileAtTheCurrentSchemaVersion() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        #expect(store.backendName == "sqlite")
        let mode = try FileManager.default.attributesOfItem(atPath: fixture.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let version = try store.read { try $0.scalarInt64("PRAGMA user_version") }
        #expect(version == SQLiteSchema.currentVersion)
        #expect(try store.read { try $0.scalarString("PRAGMA journal_mode") } == "wal")
        #expect(try store.read { try $0.scalarInt64("PRAGMA page_size") } == 4096)
        await store.close()

        // Reopening migrates nothing and keeps the one default project.
        let reopened = try fixture.openSQLite()
        #expect(try await reopened.projects().count == 1)
        await reopened.close()
        await reopened.close()  // a second close is harmless
    }

    @Test func refusesADatabaseFromANewerBuild() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        try await store.write { try $0.execute("PRAGMA user_version = 999") }
        await store.close()
        #expect(throws: StoreError.self) { try fixture.openSQLite() }
    }

    @Test func readsDoNotWaitForAWriteInProgress() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        let rule = try await store.insertedRule()
        // A write job that holds the writer (and its open transaction) until
        // the read is done, or 10 s: a read that waits for it would wait that long.
        let started = Atomic<Bool>(false)
        let readDone = Atomic<Bool>(false)
        let finished = Atomic<Bool>(false)
        async let slow: Void = store.write { db in
            try db.execute("UPDATE price_rules SET title = 'busy'")
            started.store(true, ordering: .sequentiallyConsistent)
            for _ in 0..<10_000 where !readDone.load(ordering: .sequentiallyConsistent) { usleep(1_000) }
            finished.store(true, ordering: .sequentiallyConsistent)
        }
        while !started.load(ordering: .sequentiallyConsistent) { await Task.yield() }
        let read = try await store.priceRule(projectID: rule.projectID, id: rule.id)
        let waited = finished.load(ordering: .sequentiallyConsistent)
        readDone.store(true, ordering: .sequentiallyConsistent)
        #expect(!waited, "the read waited for the write")
        #expect(read?.title == "Summer")  // the uncommitted change is not visible
        try await slow
        #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.title == "busy")
        await store.close()
    }

    @Test func cancelledWriteDoesNothing() async throws {
        try await withSQLiteStore { (store: SQLiteStore) async throws in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                try await store.insertProject(Project(id: "never", name: "never", createdAt: Fixtures.t0))
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await store.project(id: "never") == nil)
        }
    }

    /// A write whose caller's deadline passes while it waits for
    /// the writer is never started: the caller hears `deadlineExceeded` and
    /// the file holds nothing of it; one with time left behind it still runs.
    @Test func aWriteQueuedPastItsDeadlineIsSkipped() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            let hold = await WriterHold.start(store)
            let soon = WriteDeadline(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds + 20_000_000)
            async let late = Self.insert(store, Fixtures.code("TOO-LATE", rule: rule), deadline: soon)
            async let inTime = Self.insert(store, Fixtures.code("IN-TIME", rule: rule), deadline: .never)
            while !soon.hasPassed { usleep(1_000) }
            try await hold.release()
            let lateOutcome = await late
            let inTimeOutcome = await inTime
            #expect(throws: StoreError.deadlineExceeded) { try lateOutcome.get() }
            #expect(throws: Never.self) { try inTimeOutcome.get() }
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "TOO-LATE") == nil)
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "IN-TIME") != nil)
        }
    }

    /// The same when the time runs out inside the transaction, behind a long
    /// job of the same batch (a bulk-insert chunk, say): checked as each job starts.
    @Test func aWriteWhoseDeadlinePassesBehindALongJobOfItsBatchIsSkipped() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            // Held, so that the next two jobs are taken as one batch.
            let hold = await WriterHold.start(store)
            let long = Task {
                try await store.write { db in
                    try db.execute("UPDATE price_rules SET title = 'long'")
                    usleep(300_000)
                }
            }
            // The long job must be queued first.
            try await Task.sleep(for: .milliseconds(50))
            let soon = WriteDeadline(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds + 100_000_000)
            async let late = Self.insert(store, Fixtures.code("BEHIND-LONG", rule: rule), deadline: soon)
            try await Task.sleep(for: .milliseconds(20))
            try await hold.release()
            try await long.value
            let lateOutcome = await late
            #expect(throws: StoreError.deadlineExceeded) { try lateOutcome.get() }
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "BEHIND-LONG") == nil)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.title == "long")
        }
    }

    private static func insert(
        _ store: SQLiteStore, _ code: DiscountCode, deadline: WriteDeadline
    ) async -> Result<Void, any Error> {
        do {
            return .success(try await store.insertDiscountCode(code, options: WriteOptions(deadline: deadline)))
        } catch {
            return .failure(error)
        }
    }
}
