import DiscountCore
import DiscountStore
import Foundation
import Synchronization
import Testing

@testable import DiscountStorePostgres

/// Timings, not assertions on speed: run with DISCOUNTD_STORE_BENCH=1 (and a
/// server in DISCOUNTD_TEST_POSTGRES_URL; give it fsync on to measure durable
/// commits). `workers` callers each make their calls one after another, as
/// 4 connections × 64 calls in flight do.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["DISCOUNTD_STORE_BENCH"] == "1" && PostgresFixture.serverURL != nil))
struct PostgresBenchmarks {
    static let workers = 256
    static let calls = 40_000

    @Test func hotWritesAt256InFlight() async throws {
        try await withPostgres { fixture, store in
            let rule = try await store.insertedRule()
            let inserts = try await Self.run("CreateDiscountCode", fixture) { index in
                try await store.insertDiscountCode(Fixtures.code("B-\(index)", rule: rule))
            }
            let redeems = try await Self.run("RedeemDiscountCode", fixture) { index in
                _ = try await store.redeem(Fixtures.redemption("B-\(index)", order: "o-\(index)"))
            }
            let pool = Fixtures.pool()
            try await store.insertVoucherPool(pool)
            for start in stride(from: 0, to: Self.calls, by: 10_000) {
                _ = try await store.addVoucherCodes(
                    projectID: pool.projectID, poolID: pool.id, codes: (start..<start + 10_000).map { VoucherCodeText("V-\($0)") }
                )
            }
            let assigns = try await Self.run("AssignVoucherCode", fixture) { index in
                _ = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "c-\(index)"))
            }
            #expect(try await store.voucherPool(projectID: pool.projectID, id: pool.id)?.assigned == Int64(Self.calls))
            print("bench: postgresql hot writes, \(Self.workers) in flight: \(inserts), \(redeems), \(assigns)")
        }
    }

    /// `calls` calls of `body` from `workers` callers; the rate and how many
    /// commits (transactions in the change log) they took.
    static func run(
        _ name: String, _ fixture: PostgresFixture, _ body: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> String {
        let next = Counter()
        let before = try await transactions(fixture)
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<workers {
                    group.addTask {
                        while true {
                            let index = next.value.add(1, ordering: .relaxed).oldValue
                            guard index < calls else { return }
                            try await body(index)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        let commits = try await transactions(fixture) - before
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return "\(name) \(Int(Double(calls) / seconds))/s (\(calls) calls, \(commits) commits)"
    }

    static func transactions(_ fixture: PostgresFixture) async throws -> Int64 {
        try await PostgresFixture.admin(
            "SELECT count(DISTINCT xid) FROM change_log", schema: fixture.schema
        ).first?.decode(Int64.self) ?? 0
    }
}

final class Counter: Sendable {
    let value = Atomic(0)
}
