import DiscountProto
import Foundation
import ProtoCodec
import TTRPC
import Testing

@Suite("Any and Timestamp helpers")
struct WellKnownTypeTests {
    @Test func anyPacksAndUnpacks() throws {
        let detail = ErrorDetail(reason: "SCOPE_MISSING", hint: "ask for a token with it", field: "write_price_rules")
        let any = ProtoAny(packing: detail)
        #expect(any.typeUrl == "type.googleapis.com/discountd.v1.ErrorDetail")
        #expect(any.typeName == "discountd.v1.ErrorDetail")
        #expect(any.holds(ErrorDetail.self))
        #expect(!any.holds(RPCStatus.self))
        #expect(try any.unpack(ErrorDetail.self) == detail)
        #expect(try any.unpack(RPCStatus.self) == nil)
    }

    @Test func anyWithMalformedValueThrows() {
        let any = ProtoAny(typeUrl: "type.googleapis.com/discountd.v1.ErrorDetail", value: [0x0A, 0x09])
        #expect(throws: ProtoDecodingError.self) { try any.unpack(ErrorDetail.self) }
    }

    @Test(arguments: [
        (Int64(0), Int32(0), "1970-01-01T00:00:00Z"),
        (1_714_564_800, 1_000, "2024-05-01T12:00:00.000001Z"),
        (1_714_564_800, 123_456_789, "2024-05-01T12:00:00.123456789Z"),
        (951_782_400, 0, "2000-02-29T00:00:00Z"),
        (-1, 500_000_000, "1969-12-31T23:59:59.500Z"),
        (253_402_300_799, 999_000_000, "9999-12-31T23:59:59.999Z"),
        (-62_135_596_800, 0, "0001-01-01T00:00:00Z"),
    ])
    func rfc3339(seconds: Int64, nanos: Int32, expected: String) {
        #expect(ProtoTimestamp(seconds: seconds, nanos: nanos).rfc3339 == expected)
    }

    @Test func dateConversion() {
        let date = Date(timeIntervalSince1970: 1_714_564_800.25)
        let timestamp = ProtoTimestamp(date: date)
        #expect(timestamp == ProtoTimestamp(seconds: 1_714_564_800, nanos: 250_000_000))
        #expect(timestamp.date == date)
        #expect(ProtoTimestamp(date: Date(timeIntervalSince1970: -0.5)) == ProtoTimestamp(seconds: -1, nanos: 500_000_000))
    }
}
