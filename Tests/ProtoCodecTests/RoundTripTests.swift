import DiscountProto
import NIOCore
import ProtoCodec
import Testing

/// Every message of proto/, filled by the generator (GeneratedSamples.swift).
@Suite("Round trips of every message")
struct RoundTripTests {
    @Test("encodes byte-identically to Python's protobuf", arguments: GeneratedSamples.all)
    func encodesLikePython(_ sample: MessageSample) {
        #expect(sample.message.encoded().hex == sample.bytes.hex)
    }

    @Test("decodes Python's bytes to the same value", arguments: GeneratedSamples.all)
    func decodesPythonBytes(_ sample: MessageSample) throws {
        try Self.expectDecodes(sample.message, from: sample.bytes)
    }

    @Test("decode(encode(x)) == x, through [UInt8] and ByteBuffer", arguments: GeneratedSamples.all)
    func roundTrips(_ sample: MessageSample) throws {
        try Self.expectRoundTrip(sample.message)
    }

    @Test("the default message encodes to nothing and decodes from nothing", arguments: GeneratedSamples.all)
    func defaultMessage(_ sample: MessageSample) throws {
        try Self.expectDefaultIsEmpty(like: sample.message)
    }

    @Test("encode(into:) appends after what the buffer holds")
    func encodeIntoAppends() throws {
        var buffer = ByteBuffer(bytes: [0xAB, 0xCD])
        let message = ErrorDetail(reason: "CODE_TAKEN", hint: "pick another", field: "code")
        message.encode(into: &buffer)
        #expect(buffer.readableBytes == 2 + message.encoded().count)
        #expect(buffer.readBytes(length: 2) == [0xAB, 0xCD])
        #expect(try ErrorDetail(protobufBytes: buffer) == message)
    }

    @Test("a message larger than the arena's stack part round-trips")
    func largeMessage() throws {
        let codes = (0..<20_000).map { "CODE-\($0)-" + String(repeating: "x", count: $0 % 40) }
        let message = BatchCreateDiscountCodesRequest(
            priceRuleId: "0b5f3c2e-8d4a-4f7e-9c1b-2a6d8e0f4b3c", codes: codes, usageLimit: 3)
        let bytes = message.encoded()
        #expect(bytes.count > 500_000)
        #expect(try BatchCreateDiscountCodesRequest(protobufBytes: bytes) == message)
    }

    // MARK: Helpers (generic, so that each message's own type is used)

    static func expectDecodes<M: ProtoMessage>(_ message: M, from bytes: [UInt8]) throws {
        #expect(try M(protobufBytes: bytes) == message)
    }

    static func expectRoundTrip<M: ProtoMessage>(_ message: M) throws {
        let bytes = message.encoded()
        #expect(try M(protobufBytes: bytes) == message)
        var buffer = ByteBufferAllocator().buffer(capacity: 0)
        message.encode(into: &buffer)
        #expect(Array(buffer.readableBytesView) == bytes)
        #expect(try M(protobufBytes: buffer) == message)
    }

    static func expectDefaultIsEmpty<M: ProtoMessage>(like _: M) throws {
        #expect(M().encoded().isEmpty)
        #expect(try M(protobufBytes: [UInt8]()) == M())
        #expect(try M(protobufBytes: ByteBuffer()) == M())
    }
}
