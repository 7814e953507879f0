import DiscountProto
import ProtoCodec
import TTRPC
import Testing

/// The ttrpc envelope as containerd's Go ttrpc puts it on the wire (bytes from
/// Python's protobuf, which encodes identically).
@Suite("ttrpc envelope bytes")
struct EnvelopeBytesTests {
    static let request = TTRPCRequest(
        service: "discountd.v1.Health", method: "Check", timeoutNano: 5_000_000_000,
        metadata: [TTRPCKeyValue(key: "x-request-id", value: "abc")])
    static let requestHex =
        "0a13646973636f756e74642e76312e4865616c74681205436865636b2080e497d0122a130a0c782d72657175"
        + "6573742d69641203616263"

    static let errorResponse = TTRPCResponse(
        status: RPCStatus(
            code: 5, message: "Campaign 99 not found.",
            details: [ProtoAny(packing: ErrorDetail(reason: "CAMPAIGN_NOT_FOUND", field: "campaign_id"))]))
    static let errorResponseHex =
        "0a6d0805121643616d706169676e203939206e6f7420666f756e642e1a510a2c747970652e676f6f676c6561"
        + "7069732e636f6d2f646973636f756e74642e76312e4572726f7244657461696c12210a1243414d504149474e"
        + "5f4e4f545f464f554e441a0b63616d706169676e5f6964"

    @Test func requestEncodesLikeContainerd() throws {
        #expect(Self.request.encoded().hex == Self.requestHex)
        #expect(try TTRPCRequest(protobufBytes: [UInt8](hex: Self.requestHex)) == Self.request)
    }

    @Test func errorResponseEncodesLikeContainerd() throws {
        #expect(Self.errorResponse.encoded().hex == Self.errorResponseHex)
        let decoded = try TTRPCResponse(protobufBytes: [UInt8](hex: Self.errorResponseHex))
        #expect(decoded == Self.errorResponse)
        let detail = try decoded.status?.details.first?.unpack(ErrorDetail.self)
        #expect(detail == ErrorDetail(reason: "CAMPAIGN_NOT_FOUND", field: "campaign_id"))
    }

    @Test func successResponseLeavesStatusOut() throws {
        let ok = TTRPCResponse(payload: HealthCheckResponse(status: .serving).encoded())
        #expect(ok.encoded() == [0x12, 0x02, 0x08, 0x01])
        let decoded = try TTRPCResponse(protobufBytes: [0x12, 0x02, 0x08, 0x01])
        #expect(decoded.status == nil)
        #expect(try HealthCheckResponse(protobufBytes: decoded.payload).status == .serving)
    }

    @Test func emptyPayloadIsTheDefaultMessage() throws {
        #expect(try ServerInfoResponse(protobufBytes: TTRPCResponse().payload) == ServerInfoResponse())
    }
}
