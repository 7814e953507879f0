import DiscountCore
import DiscountStore
import Testing

@testable import DiscountStoreSQLite

/// Redemptions and assignments in one group commit write their counters once,
/// at the end (`DeferredCounts`): every decision inside the batch must
/// still see every use before it, and only the counts that commit are written.
@Suite struct SQLiteDeferredCountsTests {
    private struct Failed: Error {}

    @Test func redemptionsInOneBatchSeeEachOthersUses() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("HOT", rule: rule, usageLimit: 12))
            let outcomes = try await Self.inOneBatch(
                store, of: RedemptionOutcome.self,
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
                store, of: RedemptionOutcome.self,
                [
                    { try await store.redeem(Fixtures.redemption("BACK", order: "o1")) },
                    {
                        try await store.write(defersCounts: true, options: .plain) { db -> RedemptionOutcome in
                            db.deferredCounts.countUse(of: code, under: rule)
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
                store, of: RedemptionOutcome.self,
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

    /// A redeemed code is read once until its counts are written: an edit of
    /// its rule, or its deletion, between two redemptions of one batch must
    /// be what the second one sees.
    @Test func anEditInTheBatchIsSeenByTheRedemptionsAfterIt() async throws {
        try await withSQLiteStore { store in
            let rule = try await store.insertedRule()
            try await store.insertDiscountCode(Fixtures.code("SEEN", rule: rule))
            let outcomes = try await Self.inOneBatch(
                store, of: RedemptionOutcome.self,
                [
                    { try await store.redeem(Fixtures.redemption("SEEN", order: "o1")) },
                    { try await store.redeem(Fixtures.redemption("SEEN", order: "o2")) },
                    {
                        var limited = rule
                        limited.usageLimit = 2
                        _ = try #require(try await store.updatePriceRule(limited))
                        return .codeNotFound  // not a redemption: a place in the list
                    },
                    { try await store.redeem(Fixtures.redemption("SEEN", order: "o3")) },
                    {
                        let code = try #require(
                            try await store.discountCode(projectID: rule.projectID, canonicalCode: "SEEN"))
                        #expect(try await store.deleteDiscountCode(projectID: rule.projectID, id: code.id))
                        return .codeNotFound  // as above
                    },
                    { try await store.redeem(Fixtures.redemption("SEEN", order: "o4")) },
                ])
            #expect(outcomes[0]?.isRedeemed == true)
            #expect(outcomes[1]?.isRedeemed == true)
            #expect(outcomes[3]?.refusal == .usageLimitReached)
            #expect(outcomes[3]?.rule?.usageLimit == 2)
            #expect(outcomes[5] == .codeNotFound)
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
                try await store.write(defersCounts: true, options: .plain) { db -> RedemptionOutcome in
                    try db.execute("ROLLBACK")
                    return .codeNotFound
                }
            }
            calls += (0..<5).map { i in
                { try await store.redeem(Fixtures.redemption("LOST", order: "after-\(i)")) }
            }
            let outcomes = try await Self.inOneBatch(store, of: RedemptionOutcome.self, calls, sharingOneCommit: false)
            let acknowledged = outcomes.filter { $0?.isRedeemed == true }.count
            #expect(acknowledged == 5)
            #expect(try await store.discountCode(projectID: rule.projectID, canonicalCode: "LOST")?.usageCount == 5)
            #expect(try await store.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 5)
        }
    }

    @Test func assignmentsInOneBatchCountTheirPoolOnce() async throws {
        try await withSQLiteStore { store in
            let pool = try await store.makePool("ONE", 10)
            let outcomes = try await Self.inOneBatch(
                store, of: VoucherAssignmentOutcome.self,
                (0..<12).map { i in
                    { try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "c\(i)")) }
                })
            let (codes, exhausted) = Fixtures.handedOut(outcomes.compactMap { $0 })
            #expect(Set(codes).count == 10)
            #expect(exhausted == 2)
            let counted = try #require(try await store.voucherPool(projectID: pool.projectID, id: pool.id))
            #expect(counted.total == 10)
            #expect(counted.available == 0)
            #expect(counted.assigned == 10)
        }
    }

    /// As with a redemption: an assignment undone in its batch hands back
    /// its count along with its code.
    @Test func anAssignmentRolledBackInTheBatchTakesItsCountBack() async throws {
        try await withSQLiteStore { store in
            let pool = try await store.makePool("BACK", 10)
            let outcomes = try await Self.inOneBatch(
                store, of: VoucherAssignmentOutcome.self,
                [
                    { try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "c1")) },
                    {
                        try await store.write(defersCounts: true, options: .plain) { db -> VoucherAssignmentOutcome in
                            let key = try db.scalarInt64("SELECT pool_key FROM voucher_pools")
                            db.deferredCounts.countAssignment(inPool: key)
                            throw Failed()
                        }
                    },
                    { try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "c2")) },
                ])
            #expect(outcomes.map { $0 == nil } == [false, true, false])
            let counted = try #require(try await store.voucherPool(projectID: pool.projectID, id: pool.id))
            #expect(counted.available == 8)
            #expect(counted.assigned == 2)
        }
    }

    /// Queues `calls` in order behind a held writer, lets them run as one
    /// batch, and gives their outcomes in the same order (nil for a failure).
    private static func inOneBatch<Outcome: Sendable>(
        _ store: SQLiteStore, of: Outcome.Type,
        _ calls: [@Sendable () async throws -> Outcome], sharingOneCommit: Bool = true
    ) async throws -> [Outcome?] {
        let hold = await WriterHold.start(store)
        let before = store.commitCount
        var tasks: [Task<Outcome?, Never>] = []
        for call in calls {
            let queued = store.queuedWrites
            tasks.append(Task { try? await call() })
            while store.queuedWrites == queued { await Task.yield() }
        }
        try await hold.release()
        var outcomes: [Outcome?] = []
        for task in tasks { outcomes.append(await task.value) }
        if sharingOneCommit {
            // The hold's own commit, then the batch's.
            #expect(store.commitCount - before == 2)
        }
        return outcomes
    }
}
