import CSQLiteTuning
import DiscountCore
import DiscountStore
import Foundation
import Testing

@testable import DiscountStoreSQLite

/// Upgrades of databases that older builds left behind, and the page-cache
/// wrapper the writer relies on.
@Suite struct SQLiteMigrationTests {
    /// A database at schema version 3 (before the CHECK rewrite), with one
    /// pool of three codes, one of them assigned.
    private func versionThreeDatabase(_ fixture: SQLiteFixture) throws {
        let db = try SQLiteConnection(path: fixture.path, role: .writer(.full))
        defer { db.close() }
        try SQLiteSchema.migrate(db, upTo: 3)
        try db.execute(
            """
            INSERT INTO voucher_pools (project_id, id, name, total, available, assigned, created_at)
            VALUES ('default', 'pool-1', 'spring', 3, 2, 1, 0);
            INSERT INTO voucher_codes (pool_key, seq, project_id, code, canonical_code, status, customer_id, used_by, assigned_at)
            VALUES (1, 1, 'default', 'a-1', 'A-1', 2, 'cust', '', 5),
                   (1, 2, 'default', 'a-2', 'A-2', 1, NULL, NULL, NULL),
                   (1, 3, 'default', 'a-3', 'A-3', 1, NULL, NULL, NULL);
            """)
        #expect(try db.scalarInt64("PRAGMA user_version") == 3)
    }

    private func tableSQL(_ store: SQLiteStore, _ table: String) throws -> String {
        try store.read { db in
            try db.withStatement("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1") { s in
                try s.bind(1, table)
                return try s.step() ? s.string(0) : ""
            }
        }
    }

    @Test func versionThreeGetsTheCheaperChecksAndKeepsItsRows() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        try versionThreeDatabase(fixture)

        let store = try fixture.openSQLite()
        #expect(try store.read { try $0.scalarInt64("PRAGMA user_version") } == SQLiteSchema.currentVersion)
        #expect(try store.read { try $0.scalarString("PRAGMA integrity_check") } == "ok")
        #expect(try tableSQL(store, "voucher_codes").contains("CHECK (status BETWEEN 1 AND 3)"))
        #expect(!(try tableSQL(store, "voucher_codes").contains("IN (1, 2, 3)")))
        #expect(try tableSQL(store, "agent_codes").contains("sync_status = 'skipped_no_credentials'"))
        #expect(try tableSQL(store, "commission_orders").contains("status = 'refunded'"))

        // The rows are as they were, and the pool still hands out its next code.
        let pool = try #require(try await store.voucherPool(projectID: Project.defaultID, id: "pool-1"))
        #expect(pool.total == 3 && pool.available == 2 && pool.assigned == 1)
        let outcome = try await store.assignVoucherCode(
            VoucherAssignment(
                projectID: Project.defaultID, poolID: "pool-1", customerID: "next", usedBy: "", at: Fixtures.t0))
        guard case .assigned(let code) = outcome else {
            Issue.record("expected an assignment, got \(outcome)")
            return
        }
        #expect(code.code == "a-2" && code.status == .assigned && code.customerID == "next")

        // The rewritten CHECKs still refuse what the old ones refused.
        await #expect(throws: (any Error).self) {
            try await store.write { try $0.execute("UPDATE voucher_codes SET status = 4 WHERE seq = 3") }
        }
        await #expect(throws: (any Error).self) {
            try await store.write { try $0.execute("UPDATE voucher_codes SET status = 0 WHERE seq = 3") }
        }
        await store.close()
    }

    @Test func aNewDatabaseHasTheSameSchemaAsAMigratedOne() async throws {
        let migrated = try SQLiteFixture()
        let fresh = try SQLiteFixture()
        defer {
            migrated.remove()
            fresh.remove()
        }
        try versionThreeDatabase(migrated)
        let upgraded = try migrated.openSQLite()
        let created = try fresh.openSQLite()
        for table in ["voucher_codes", "agent_codes", "commission_orders"] {
            #expect(try tableSQL(upgraded, table) == tableSQL(created, table))
        }
        await upgraded.close()
        await created.close()
    }

    /// Commits under load split b-tree pages, which is what made SQLite's
    /// own truncation walk its whole cache; the wrapper skips those walks.
    /// Rolled-back growth still has its pages dropped, and nothing is lost.
    @Test func pageCacheWrapperSkipsNeedlessTruncationsAndLosesNothing() async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        let rule = try await store.insertedRule()
        let skippedBefore = discountd_sqlite_truncations_skipped()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<3_000 {
                group.addTask { try await store.insertDiscountCode(Fixtures.code("SPLIT-\(i)-\(UUID())", rule: rule)) }
            }
            try await group.waitForAll()
        }
        #expect(discountd_sqlite_truncations_skipped() > skippedBefore)

        // A transaction that grows the file by hundreds of pages, then fails.
        await #expect(throws: (any Error).self) {
            try await store.write { db in
                try db.execute("CREATE TABLE scratch (x BLOB)")
                for _ in 0..<200 { try db.execute("INSERT INTO scratch VALUES (zeroblob(20000))") }
                throw StoreError.failure("abandoned")
            }
        }
        try await store.insertDiscountCode(Fixtures.code("AFTER-ROLLBACK", rule: rule))
        #expect(try await store.countDiscountCodes(projectID: Project.defaultID) == 3_001)
        #expect(try store.read { try $0.scalarString("PRAGMA integrity_check") } == "ok")
        await store.close()

        let reopened = try fixture.openSQLite()
        #expect(try await reopened.countDiscountCodes(projectID: Project.defaultID) == 3_001)
        #expect(try reopened.read { try $0.scalarString("PRAGMA integrity_check") } == "ok")
        await reopened.close()
    }
}
