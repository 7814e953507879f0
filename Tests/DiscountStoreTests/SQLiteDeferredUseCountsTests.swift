import DiscountCore
import DiscountStore
import Testing

@testable import DiscountStoreSQLite

/// Redemptions in one group commit write their code's and rule's counts once,
/// at the end (`DeferredUseCounts`): every decision inside the batch must
/// still see every use before it, and only the uses that commit.
@Suite struct SQLiteDeferredUseCountsTests {
    private struct Failed: Error {}

    @Test func redemptionsInOneBatchSeeEachOthersUses() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("HOT", rule: rule, usageLimit: 12))
            let outcomes = try await Self.inOneBatch(
                store,
                (0..<20).map { i in
                    { try await store.redeem(Fixtures.redemption("HOT", order: "o\(i)")) }
                })
            let redeemed = outcomes.compactMap { $0 }.filter(\.isRedeemed)
            #expect(redeemed.count == 12)
            #expect(outcomes.filter { $0?.refusal == .usageLimitReached }.count == 8)
            #expect(redeemed.compactMap { $0.code?.usageCount } == Array(1...12))
            #expect(redeemed.compactMap { $0.rule?.version } == Array(2...13))

            let code = try #require(try await store.discountCode(projectID: rule.projectID, canonicalCode: "HOT"))
            #expect(code.usageCount == 12)
            #expect(code.version == 13)
            let storedRule = try #require(try await store.priceRule(projectID: rule.projectID, id: rule.id))
            #expect(storedRule.usageCount == 12)
            #expect(storedRule.version == 13)
        }
    }

    /// A job that fails after counting a use (a redemption whose idempotency
    /// record could not be saved, say) is rolled back to its savepoint: the
    /// use must go with it.
    @Test func aJobRolledBackInTheBatchTakesItsUseBack() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            let code = Fixtures.code("BACK", rule: rule)
            try await store.insertDiscountCode(code)
            let outcomes = try await Self.inOneBatch(
                store,
                [
                    { try await store.redeem(Fixtures.redemption("BACK", order: "o1")) },
                    {
                        try await store.write(defersUseCounts: true, options: .plain) { db -> RedemptionOutcome in
                            db.deferredUseCounts.countUse(of: code, under: rule)
                            throw Failed()
                        }
                    },
                    { try await store.redeem(Fixtures.redemption("BACK", order: "o2")) },
                ])
            #expect(outcomes.map { $0?.code?.usageCount } == [1, nil, 2])
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "BACK")?.usageCount == 2)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 2)
        }
    }

    /// Any other job reads the rows as they are: the uses before it are written first.
    @Test func anOrderRolledBackInTheBatchReleasesUsesCountedBeforeIt() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("EDIT", rule: rule))
            let outcomes = try await Self.inOneBatch(
                store,
                [
                    { try await store.redeem(Fixtures.redemption("EDIT", order: "o1")) },
                    { try await store.redeem(Fixtures.redemption("EDIT", order: "o2")) },
                    {
                        let released = try await store.rollbackRedemptions(
                            projectID: rule.projectID, orderID: "o1", at: Fixtures.t0.adding(seconds: 61))
                        return .redeemed(try #require(released.first), rule)
                    },
                    { try await store.redeem(Fixtures.redemption("EDIT", order: "o3")) },
                ])
            #expect(outcomes.map { $0?.code?.usageCount } == [1, 2, 1, 2])
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "EDIT")?.usageCount == 2)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 2)
        }
    }

    /// A redemption that ends the transaction (as SQLite does on an I/O
    /// error) loses the uses counted before it, unwritten; the jobs after it
    /// start a new transaction, which must not write them.
    @Test func usesOfALostTransactionAreNotWrittenByTheNext() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("LOST", rule: rule))
            var calls: [@Sendable () async throws -> RedemptionOutcome] = (0..<5).map { i in
                { try await store.redeem(Fixtures.redemption("LOST", order: "before-\(i)")) }
            }
            calls.append {
                try await store.write(defersUseCounts: true, options: .plain) { db -> RedemptionOutcome in
                    try db.execute("ROLLBACK")
                    return .codeNotFound
                }
            }
            calls += (0..<5).map { i in
                { try await store.redeem(Fixtures.redemption("LOST", order: "after-\(i)")) }
            }
            let outcomes = try await Self.inOneBatch(store, calls, sharingOneCommit: false)
            let acknowledged = outcomes.filter { $0?.isRedeemed == true }.count
            #expect(acknowledged == 5)
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "LOST")?.usageCount == 5)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 5)
        }
    }

    /// Queues `calls` in order behind a held writer, lets them run as one
    /// batch, and gives their outcomes in the same order (nil for a failure).
    private static func inOneBatch(
        _ store: SQLiteStore, _ calls: [@Sendable () async throws -> RedemptionOutcome], sharingOneCommit: Bool = true
    ) async throws -> [RedemptionOutcome?] {
        let hold = await WriterHold.start(store)
        let before = store.commitCount
        var tasks: [Task<RedemptionOutcome?, Never>] = []
        for call in calls {
            let queued = store.queuedWrites
            tasks.append(Task { try? await call() })
            while store.queuedWrites == queued { await Task.yield() }
        }
        try await hold.release()
        var outcomes: [RedemptionOutcome?] = []
        for task in tasks { outcomes.append(await task.value) }
        if sharingOneCommit {
            // The hold's own commit, then the batch's.
            #expect(store.commitCount - before == 2)
        }
        return outcomes
    }
}
