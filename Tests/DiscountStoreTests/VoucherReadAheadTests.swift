import DiscountCore
import DiscountStore
import Testing

@testable import DiscountStoreSQLite

/// Assignments reading available codes ahead, in runs, within a transaction.
@Suite struct VoucherReadAheadTests {
    typealias Candidate = VoucherReadAhead.Candidate
    let pool = VoucherReadAhead.Pool(projectID: "default", poolID: "p")

    /// A pool holding codes 1 to `count`, as reads of it return them.
    final class Codes {
        var available: [Int64]
        var reads: [Int] = []
        init(_ count: Int64) { available = Array(1...count) }
        func read(_ limit: Int) -> [Candidate] {
            reads.append(limit)
            return available.prefix(limit).map { Candidate(key: 1, sequence: $0, code: "V-\($0)") }
        }
        func take(_ candidate: Candidate?) -> Int64? {
            guard let candidate else { return nil }
            available.removeAll { $0 == candidate.sequence }
            return candidate.sequence
        }
    }

    @Test func runsDoubleUpToTheLongestAndGoLowestFirst() {
        let ahead = VoucherReadAhead()
        let codes = Codes(300)
        let taken = (0..<200).map { _ in codes.take(ahead.next(in: pool, read: codes.read)) }
        #expect(taken == (1...200).map { Int64($0) })
        #expect(codes.reads == [1, 2, 4, 8, 16, 32, 64, 64, 64])
    }

    @Test func aCandidatePutBackGoesNextAndAForgottenRunIsReadAgain() {
        let ahead = VoucherReadAhead()
        let codes = Codes(20)
        _ = ahead.next(in: pool, read: codes.read)  // a run of 1, not taken
        let second = ahead.next(in: pool, read: codes.read)  // a run of 2 from 1
        #expect(second?.sequence == 1)
        ahead.putBack(second!, in: pool)
        #expect(ahead.next(in: pool, read: codes.read)?.sequence == 1)
        #expect(ahead.next(in: pool, read: codes.read)?.sequence == 2)
        ahead.forget(pool)
        #expect(ahead.next(in: pool, read: codes.read)?.sequence == 1, "read again, from the lowest still available")
        #expect(codes.reads == [1, 2, 1])
    }

    @Test func runsOutliveACommitButNotARollback() {
        let ahead = VoucherReadAhead()
        let codes = Codes(20)
        ahead.transactionBegan()
        _ = (0..<2).map { _ in codes.take(ahead.next(in: pool, read: codes.read)) }  // runs of 1 and 2: 3 is left
        ahead.transactionCommitted()
        ahead.transactionBegan()
        #expect(codes.take(ahead.next(in: pool, read: codes.read)) == 3, "left from the committed transaction")
        // This transaction is rolled back: 3 is available again.
        codes.available.insert(3, at: 0)
        ahead.transactionBegan()
        #expect(codes.take(ahead.next(in: pool, read: codes.read)) == 3)
        ahead.jobRolledBack()
        codes.available.insert(3, at: 0)
        #expect(codes.take(ahead.next(in: pool, read: codes.read)) == 3)
        #expect(codes.reads == [1, 2, 1, 1])
    }

    @Test func runsAreKeptForABoundedNumberOfPools() {
        let ahead = VoucherReadAhead()
        let codes = Codes(4)
        let first = VoucherReadAhead.Pool(projectID: "default", poolID: "p0")
        for index in 0..<VoucherReadAhead.maxPools {
            _ = ahead.next(in: .init(projectID: "default", poolID: "p\(index)"), read: codes.read)
        }
        _ = ahead.next(in: first, read: codes.read)
        #expect(codes.reads.last == 2, "a pool's second run is twice its first")
        _ = ahead.next(in: pool, read: codes.read)  // one pool more than the bound: all are forgotten
        _ = ahead.next(in: first, read: codes.read)
        #expect(codes.reads.last == 1, "p0 starts again from a run of 1")
    }

    @Test func anEmptyPoolHasNoNext() {
        let ahead = VoucherReadAhead()
        #expect(ahead.next(in: pool, read: { _ in [] }) == nil)
    }

    // MARK: In the store, in one transaction

    static func assign(_ pool: VoucherPool, _ customer: String, _ db: SQLiteConnection) throws -> String? {
        let assignment = VoucherAssignment(
            projectID: pool.projectID, poolID: pool.id, customerID: customer, usedBy: "", at: Fixtures.t0)
        switch try SQLiteStore.assignment(assignment)(db) {
        case .assigned(let code): return code.code
        case .alreadyAssigned(let code): return "held \(code.code)"
        default: return nil
        }
    }

    @Test func aCodeReadAheadThatIsNoLongerAvailableIsNotAssigned() async throws {
        try await withSQLiteStore { store in
            let pool = try await store.makePool("R", 10)
            let codes = try await store.write { db in
                var codes = [try Self.assign(pool, "c1", db), try Self.assign(pool, "c2", db)]
                // R-3 was read ahead with R-2; here it stops being available
                // (as a code does when its pool is deleted) before it is taken.
                try db.execute("UPDATE voucher_codes SET status = 3 WHERE code = 'R-3'")
                codes.append(try Self.assign(pool, "c3", db))
                return codes
            }
            #expect(codes == ["R-1", "R-2", "R-4"])
        }
    }

    @Test func aCustomerWhoHoldsACodeLeavesTheLowestForTheNext() async throws {
        try await withSQLiteStore { store in
            let pool = try await store.makePool("R", 10)
            let codes = try await store.write { db in
                // Runs of 1, 2 and 4: c4 takes R-4, leaving R-5 to R-7 read ahead.
                var codes = try ["c1", "c2", "c3", "c4"].map { try Self.assign(pool, $0, db) }
                codes.append(try Self.assign(pool, "c1", db))
                codes.append(try Self.assign(pool, "c5", db))
                return codes
            }
            #expect(codes == ["R-1", "R-2", "R-3", "R-4", "held R-1", "R-5"])
            #expect(try await store.voucherPool(projectID: pool.projectID, id: pool.id)?.available == 5)
        }
    }
}
