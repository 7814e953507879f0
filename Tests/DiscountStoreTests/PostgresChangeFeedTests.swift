import DiscountCore
import DiscountStore
import Foundation
import PostgresNIO
import Synchronization
import Testing

@testable import DiscountStorePostgres

/// The change log as other daemons read it: every write is in it once, in
/// the transaction that made it; catch-up finds changes that commit out of
/// id order; the doorbell rings once per committed batch and comes back
/// after its connection is lost.
@Suite(.enabled(if: PostgresFixture.serverURL != nil, "needs DISCOUNTD_TEST_POSTGRES_URL"))
struct PostgresChangeFeedTests {
    @Test func everyWriteIsInTheFeedOnce() async throws {
        try await withPostgres { fixture, store in
            let start = try await store.currentChangeCursor()
            let rule = Fixtures.rule(usageLimit: 9)
            try await store.insertPriceRule(rule)
            let code = Fixtures.code("FeedMe", rule: rule)
            try await store.insertDiscountCode(code)
            _ = try await store.redeem(Fixtures.redemption("FEEDME", order: "o1"))
            let token = Fixtures.token()
            try await store.insertToken(token)
            _ = try await store.revokeToken(id: token.id, at: Fixtures.t0)
            let pool = try await store.makePool("F", 2)
            _ = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "ann"))

            let batch = try await store.changes(after: start, limit: 100)
            #expect(batch.isComplete)
            let seen = batch.changes.map { "\($0.kind.rawValue) \($0.id) \($0.key ?? "-") \($0.version)" }
            #expect(
                seen == [
                    "price_rule \(rule.id) - 1",
                    "discount_code \(code.id) FEEDME 1",
                    "discount_code \(code.id) FEEDME 2", "price_rule \(rule.id) - 2",
                    "token \(token.id) \(token.secretHash) 0",
                    "token \(token.id) \(token.secretHash) 0",
                    "voucher_pool \(pool.id) - 1",
                    "voucher_pool \(pool.id) - 2",
                    "voucher_pool \(pool.id) - 3",
                ])
            #expect(batch.changes.allSatisfy { $0.projectID == Project.defaultID })
            let after = try await store.changes(after: batch.cursor, limit: 100)
            #expect(after.isComplete && after.changes.isEmpty, "nothing twice")
        }
    }

    /// A reader that remembered the highest id it saw would miss `early`:
    /// its id is lower than `late`'s, but it commits after the reader looked.
    @Test func aChangeCommittingOutOfIdOrderIsNotMissed() async throws {
        try await withPostgres { fixture, store in
            let start = try await store.currentChangeCursor()
            try await PostgresFixture.withConnection(schema: fixture.schema) { slow in
                try await slow.query("BEGIN", logger: PostgresFixture.logger)
                try await slow.query(
                    """
                    INSERT INTO change_log (kind, project_id, entity_id, version) VALUES ('project', 'default', 'early', 0)
                    """, logger: PostgresFixture.logger)
                try await PostgresFixture.admin(
                    """
                    INSERT INTO change_log (kind, project_id, entity_id, version) VALUES ('project', 'default', 'late', 0)
                    """, schema: fixture.schema)

                let first = try await store.changes(after: start, limit: 10)
                #expect(first.changes.map(\.id) == ["late"])
                try await slow.query("COMMIT", logger: PostgresFixture.logger)

                let second = try await store.changes(after: first.cursor, limit: 10)
                #expect(second.changes.map(\.id) == ["early"])
                let ids = try await PostgresFixture.admin(
                    "SELECT entity_id FROM change_log ORDER BY id", schema: fixture.schema
                ).map { try $0.decode(String.self) }
                #expect(ids == ["early", "late"], "early has the lower id")
            }
        }
    }

    @Test func aReaderTooFarBehindIsToldToResynchronise() async throws {
        let fixture = try await PostgresFixture()
        let store = try await fixture.openPostgres { $0.commitDelay = .milliseconds(200) }
        let start = try await store.currentChangeCursor()
        for index in 0..<5 { try await store.insertProject(Project(id: "p\(index)", name: "P\(index)", createdAt: Fixtures.t0)) }
        let tooMany = try await store.changes(after: start, limit: 3)
        #expect(!tooMany.isComplete && tooMany.changes.isEmpty)
        #expect(try await store.changes(after: tooMany.cursor, limit: 3).changes.isEmpty, "it went on from the present")

        let beforePruning = try await store.currentChangeCursor()
        try await store.insertProject(Project(id: "late", name: "Late", createdAt: Fixtures.t0))
        #expect(try await store.pruneChanges(olderThan: .zero) == 6)
        let pruned = try await store.changes(after: beforePruning, limit: 100)
        #expect(!pruned.isComplete, "a change it never saw was pruned")
        // A cursor taken once pruning is more than a commit's delay behind is whole again.
        try await Task.sleep(for: .milliseconds(300))
        let now = try await store.currentChangeCursor()
        try await store.insertProject(Project(id: "later", name: "Later", createdAt: Fixtures.t0))
        let fresh = try await store.changes(after: now, limit: 100)
        #expect(fresh.isComplete && fresh.changes.map(\.id) == ["later"])
        await store.close()
        await fixture.remove()
    }

    /// Another daemon's writes ring this one's doorbell; the database sends
    /// one notification per committed batch: as many as transactions, far
    /// fewer than calls.
    @Test func theDoorbellRingsOncePerCommittedBatch() async throws {
        try await withPostgres { fixture, writer in
            let reader = try await fixture.openPostgres()
            let doorbells = reader.doorbells()
            let rang = Atomic(false)
            let listening = Atomic(false)
            let watcher = Task {
                for await doorbell in doorbells {
                    if doorbell == .rang { rang.store(true, ordering: .relaxed) }
                    if doorbell == .listening { listening.store(true, ordering: .relaxed) }
                }
            }
            // Every notification on the store's channel, counted on a connection of the test's own.
            let notifications = Atomic(0)
            let subscribed = Atomic(false)
            let counter = Task {
                try await PostgresFixture.withConnection { connection in
                    try await connection.listen(on: PostgresSchema.doorbellChannel(schema: fixture.schema)) { stream in
                        subscribed.store(true, ordering: .relaxed)
                        for try await _ in stream { notifications.add(1, ordering: .relaxed) }
                    }
                }
            }
            try await eventually { listening.load(ordering: .relaxed) && subscribed.load(ordering: .relaxed) }
            let rule = try await writer.insertedRule()
            for index in 0..<100 { try await writer.insertDiscountCode(Fixtures.code("BELL\(index)", rule: rule)) }
            try await eventually { notifications.load(ordering: .relaxed) >= 101 && rang.load(ordering: .relaxed) }
            let start = try await reader.currentChangeCursor()
            let before = notifications.load(ordering: .relaxed)
            #expect(before == 101, "one per commit")

            try await atOnce(100, across: [writer]) { writer, index in
                _ = try await writer.redeem(Fixtures.redemption("BELL\(index)", order: "o"))
            }
            let changes = try await reader.changes(after: start, limit: 1000).changes
            #expect(changes.count == 200, "a code and its rule per redemption")
            let transactions =
                try await PostgresFixture.admin(
                    """
                    SELECT count(DISTINCT xid) FROM change_log WHERE kind = 'discount_code' AND version = 2
                    """, schema: fixture.schema
                ).first?.decode(Int64.self) ?? 0
            try await eventually { notifications.load(ordering: .relaxed) - before >= Int(transactions) }
            try await Task.sleep(for: .milliseconds(300))
            #expect(notifications.load(ordering: .relaxed) - before == Int(transactions))
            #expect(transactions < 50, "100 concurrent redemptions took \(transactions) commits")
            counter.cancel()
            watcher.cancel()
            await reader.close()
        }
    }

    @Test func theDoorbellComesBackAfterItsConnectionIsKilled() async throws {
        try await withPostgres { fixture, store in
            let events = Mutex<[ChangeDoorbell]>([])
            let doorbells = store.doorbells()
            let watcher = Task { for await doorbell in doorbells { events.withLock { $0.append(doorbell) } } }
            try await eventually { events.withLock { $0.contains(.listening) } }
            #expect(store.feedState == ChangeFeedState(listening: true, outage: nil))
            let pid = try #require(store.doorbell.backendPID)
            try await PostgresFixture.admin("SELECT pg_terminate_backend(\(pid))")
            try await eventually { events.withLock { $0.contains(.lost) && $0.last == .listening } }
            #expect(store.doorbell.backendPID != pid && store.feedState.listening)
            try await store.insertProject(Project(id: "after", name: "After", createdAt: Fixtures.t0))
            try await eventually { events.withLock { $0.last == .rang } }
            watcher.cancel()
        }
    }

    @Test func aServerThatIsNotThereIsUnavailable() async throws {
        let started = ContinuousClock.now
        do {
            _ = try await PostgresStore.open(
                url: PostgresURL("postgresql://nobody@/nothing?host=/nonexistent-discountd&connect_timeout=2"),
                logger: PostgresFixture.logger)
            Issue.record("opened a store on no server")
        } catch let error as StoreError {
            guard case .unavailable = error else { throw error }
        }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}

/// Runs `body` with a fresh PostgreSQL store, then closes it and drops its schema.
func withPostgres(_ body: (PostgresFixture, PostgresStore) async throws -> Void) async throws {
    let fixture = try await PostgresFixture()
    do {
        let store = try await fixture.openPostgres()
        do {
            try await body(fixture, store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    } catch {
        await fixture.remove()
        throw error
    }
    await fixture.remove()
}

/// Waits up to `timeout` for `condition`.
func eventually(timeout: Duration = .seconds(10), _ condition: () throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while try !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(timeout)")
            return
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}
