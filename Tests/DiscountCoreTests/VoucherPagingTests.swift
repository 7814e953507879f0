import DiscountCore
import Testing

@Suite struct VoucherPagingTests {
    let pool = VoucherPool(
        id: "p", projectID: "default", name: "P", total: 100, available: 60, assigned: 30, redeemed: 10,
        createdAt: Instant(seconds: 0))

    @Test func unfilteredSkipIsASequenceBound() {
        #expect(VoucherPaging.plan(skip: 0, status: nil, pool: pool) == .after(sequence: 0))
        #expect(VoucherPaging.plan(skip: 999_000, status: nil, pool: pool) == .after(sequence: 999_000))
    }

    @Test func availableCodesAreTheTailOfThePool() {
        // 40 codes were handed out, so the available ones are numbers 41…100.
        #expect(VoucherPaging.plan(skip: 0, status: .available, pool: pool) == .statusAfter(status: .available, sequence: 40))
        #expect(VoucherPaging.plan(skip: 5, status: .available, pool: pool) == .statusAfter(status: .available, sequence: 45))
    }

    @Test func assignedAndRedeemedStepAlongTheIndex() {
        #expect(VoucherPaging.plan(skip: 7, status: .assigned, pool: pool) == .offset(status: .assigned, offset: 7))
        #expect(VoucherPaging.plan(skip: 0, status: .redeemed, pool: pool) == .offset(status: .redeemed, offset: 0))
    }

    @Test func deepPagesStepOverTheRarerKind() {
        // 10 redeemed codes: skipping 25 assigned ones reads at most those 10.
        #expect(
            VoucherPaging.plan(skip: 25, status: .assigned, pool: pool)
                == .skippingOthers(status: .assigned, skip: 25, other: .redeemed))
    }

    /// 40 codes handed out, all of one kind: the page starts right after `skip` of them.
    @Test(arguments: [(VoucherStatus.assigned, Int64(30)), (.redeemed, 12)])
    func withOneKindAbsentTheOtherIsTheWholeHandedOutRange(status: VoucherStatus, skip: Int64) {
        var oneKind = pool
        oneKind.assigned = status == .assigned ? 40 : 0
        oneKind.redeemed = status == .redeemed ? 40 : 0
        #expect(VoucherPaging.plan(skip: skip, status: status, pool: oneKind) == .statusAfter(status: status, sequence: skip))
    }

    @Test func sequenceBeforeSkippingMatchesAScan() {
        // Numbers 1…40 handed out; the redeemed ones are the "others".
        var random = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let redeemed = Set((1...40).filter { _ in Int.random(in: 0..<3, using: &random) == 0 }.map(Int64.init))
            let assigned = (1...40).map(Int64.init).filter { !redeemed.contains($0) }
            for skip in 0..<Int64(assigned.count) {
                var others = redeemed.sorted().makeIterator()
                let bound = VoucherPaging.sequenceBefore(skipping: skip) { others.next() }
                // The first assigned code after `bound` is the (skip+1)-th assigned code.
                #expect(assigned.first { $0 > bound } == assigned[Int(skip)])
            }
        }
    }

    @Test func countsPerStatus() {
        #expect(pool.count(of: nil) == 100)
        #expect(pool.count(of: .available) == 60 && pool.count(of: .assigned) == 30 && pool.count(of: .redeemed) == 10)
    }
}
