import DiscountProto
import ProtoCodec
import TTRPC
import Testing

/// Bad bytes throw ProtoDecodingError naming the message; they never crash.
@Suite("Malformed input")
struct MalformedInputTests {
    static let malformed: [(String, [UInt8])] = [
        ("field number 0", [0x00, 0x01]),
        ("wire type 6", [0x0E, 0x01]),
        ("wire type 7", [0x0F, 0x01]),
        ("stray END_GROUP", [0x0C]),
        ("unterminated tag", [0x80]),
        ("11-byte varint", [0x08] + [UInt8](repeating: 0xFF, count: 10) + [0x01]),
        ("length 2^32-1", [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x41]),
        ("length 2^63", [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x41]),
        ("length past the end", [0x0A, 0x05, 0x41]),
        ("truncated fixed64", [0x09, 1, 2, 3]),
        ("truncated fixed32", [0x0D, 1, 2]),
        ("unknown field, length past the end", [0xB2, 0x06, 0x7F, 0x00]),
    ]

    @Test("every message type rejects structurally broken bytes", arguments: GeneratedSamples.all)
    func everyTypeRejects(_ sample: MessageSample) {
        for (name, bytes) in Self.malformed {
            Self.expectThrows(like: sample.message, bytes, name)
        }
    }

    @Test("every truncation either throws or is a complete shorter message", arguments: GeneratedSamples.all)
    func truncatedAtEveryLength(_ sample: MessageSample) {
        Self.checkPrefixes(like: sample.message, sample.bytes)
    }

    @Test func wrongWireTypes() {
        Self.expectThrows(TTRPCRequest.self, [0x08, 0x01], "string field sent as varint")
        Self.expectThrows(TTRPCRequest.self, [0x22, 0x01, 0x00], "int64 field sent length-delimited")
        Self.expectThrows(TTRPCRequest.self, [0x2D, 1, 2, 3, 4], "message field sent as fixed32")
        Self.expectThrows(HealthCheckResponse.self, [0x09, 1, 2, 3, 4, 5, 6, 7, 8], "enum sent as fixed64")
        Self.expectThrows(TTRPCResponse.self, [0x0A, 0x02, 0x08], "sub-message overruns its length")
        Self.expectThrows(TTRPCResponse.self, [0x0A, 0x02, 0x0F, 0x00], "malformed sub-message")
    }

    @Test func errorNamesTheMessage() {
        #expect(throws: ProtoDecodingError(messageName: "ttrpc.Request", byteCount: 1)) {
            try TTRPCRequest(protobufBytes: [0x80])
        }
        let error = ProtoDecodingError(messageName: "ttrpc.Request", byteCount: 1)
        #expect(error.description.contains("ttrpc.Request"))
    }

    @Test("random bytes never crash; what decodes re-encodes and decodes again")
    func randomBytes() throws {
        var rng = SplitMix64(seed: 0x5EED)
        let templates = GeneratedSamples.all.map(\.bytes).filter { !$0.isEmpty }
        for i in 0..<3_000 {
            var bytes = templates[i % templates.count]
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(bytes.count))
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            }
            let message: any ProtoMessage = GeneratedSamples.all[i % GeneratedSamples.all.count].message
            Self.checkStable(like: message, bytes)
            Self.checkStable(like: TTRPCRequest(), bytes)
        }
    }

    // MARK: Helpers

    static func expectThrows<M: ProtoMessage>(_: M.Type, _ bytes: [UInt8], _ what: String) {
        #expect(throws: ProtoDecodingError.self, "\(M.protoName): \(what)") {
            try M(protobufBytes: bytes)
        }
    }

    static func expectThrows<M: ProtoMessage>(like _: M, _ bytes: [UInt8], _ what: String) {
        expectThrows(M.self, bytes, what)
    }

    static func checkPrefixes<M: ProtoMessage>(like _: M, _ bytes: [UInt8]) {
        for length in 0...bytes.count {
            let prefix = Array(bytes[..<length])
            if let decoded = try? M(protobufBytes: prefix) {
                #expect(decoded.encoded() == prefix, "\(M.protoName) cut at \(length)")
            }
        }
        #expect((try? M(protobufBytes: bytes)) != nil)
    }

    static func checkStable<M: ProtoMessage>(like _: M, _ bytes: [UInt8]) {
        guard let decoded = try? M(protobufBytes: bytes) else { return }
        // Compared as bytes: a mutated double may be NaN, which is not == itself.
        let again = decoded.encoded()
        #expect((try? M(protobufBytes: again))?.encoded() == again, "\(M.protoName) from \(bytes.hex)")
    }
}

/// A small deterministic generator for the random-bytes test.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
