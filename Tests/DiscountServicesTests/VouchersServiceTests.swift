import DiscountCore
import DiscountProto
import ProtoCodec
import Testing

@testable import DiscountServices

@Suite struct VouchersServiceTests {
    @Test func countDefaultsTo20AndStaysWithin1To1000() throws {
        #expect(try VouchersService.pageSize(nil) == 20)
        #expect(try VouchersService.pageSize(1) == 1)
        #expect(try VouchersService.pageSize(1000) == 1000)
        for bad: Int32 in [0, -5, 1001] {
            #expect(throws: ServiceError.invalidArgument(field: "count", "count must be between 1 and 1000 (got \(bad))")) {
                try VouchersService.pageSize(bad)
            }
        }
    }

    @Test func statusFilterMapsToTheDomain() throws {
        #expect(try VouchersService.status(nil) == nil)
        #expect(try VouchersService.status(.unspecified) == nil)
        #expect(try VouchersService.status(.assigned) == .assigned)
        #expect(throws: ServiceError.self) { try VouchersService.status(.unrecognized(9)) }
    }

    @Test func aTokenReachesItsOwnProjectAndTheDefaultProjectReachesAll() {
        let tenant = Principal(projectID: "acme", scopes: [.readVouchers])
        #expect(VoucherBook.reachable("", tenant) == "acme")
        #expect(VoucherBook.reachable("acme", tenant) == "acme")
        #expect(VoucherBook.reachable("default", tenant) == nil)
        #expect(VoucherBook.reachable("acme", .localOwner) == "acme")
        #expect(throws: ServiceError.voucherPoolNotFound("p1")) {
            try VoucherBook.poolProject("other", poolID: "p1", tenant)
        }
    }

    @Test func importsAreCheckedBeforeAnythingIsStored() throws {
        let texts = try VoucherCodeAddition.validated(["  A-1 ", "b-2"])
        #expect(texts.map(\.code) == ["A-1", "b-2"])
        #expect(texts.map(\.canonical) == ["A-1", "B-2"])
        #expect(throws: ServiceError.invalidArgument(field: "codes[1]", "codes[1] must not be empty")) {
            try VoucherCodeAddition.validated(["OK", "   "])
        }
    }

    @Test func codesGoOnTheWireWithTheirTimes() {
        let code = VoucherCodeRecord(
            code: "V-1", status: .redeemed, sequence: 3, customerID: "ann", usedBy: nil,
            assignedAt: Instant(seconds: 10), redeemedAt: Instant(seconds: 20))
        let message = VoucherCodeMessage(code)
        #expect(message.status == .redeemed && message.customerId == "ann" && message.usedBy == nil)
        #expect(message.assignedTime == ProtoTimestamp(seconds: 10) && message.redeemedTime == ProtoTimestamp(seconds: 20))
    }
}
