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

    @Test func countsPerStatus() {
        #expect(pool.count(of: nil) == 100)
        #expect(pool.count(of: .available) == 60 && pool.count(of: .assigned) == 30 && pool.count(of: .redeemed) == 10)
    }
}
