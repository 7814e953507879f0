import DiscountProto
import ProtoCodec
import TTRPC
import Testing

@Suite("Presence, unknown enum values and unknown fields")
struct FieldPresenceTests {
    @Test func optionalPresentAsZeroIsNotAbsent() throws {
        let zero = UpdatePriceRuleRequest(priceRuleId: "p", usageLimit: 0)
        let absent = UpdatePriceRuleRequest(priceRuleId: "p")
        #expect(zero.encoded() == [UInt8](hex: "0a01704800"))
        #expect(absent.encoded() == [UInt8](hex: "0a0170"))
        #expect(try UpdatePriceRuleRequest(protobufBytes: [UInt8](hex: "0a01704800")).usageLimit == 0)
        #expect(try UpdatePriceRuleRequest(protobufBytes: [UInt8](hex: "0a0170")).usageLimit == nil)
    }

    @Test func optionalStringEnumAndBoolPresentAsDefault() throws {
        let message = UpdatePriceRuleRequest(title: "", valueType: .unspecified, oncePerCustomer: false)
        let decoded = try UpdatePriceRuleRequest(protobufBytes: message.encoded())
        #expect(decoded.title == "")
        #expect(decoded.valueType == .unspecified)
        #expect(decoded.oncePerCustomer == false)
        #expect(decoded.currency == nil)
        #expect(UpdatePriceRuleRequest().encoded().isEmpty)
    }

    @Test func emptySubMessageIsPresent() throws {
        let message = TTRPCResponse(status: RPCStatus())
        #expect(message.encoded() == [0x0A, 0x00])
        #expect(try TTRPCResponse(protobufBytes: [0x0A, 0x00]).status == RPCStatus())
        #expect(try TTRPCResponse(protobufBytes: [UInt8]()).status == nil)
    }

    @Test func unknownEnumValueIsKept() throws {
        let decoded = try HealthCheckResponse(protobufBytes: [0x08, 0x63])
        #expect(decoded.status == .unrecognized(99))
        #expect(decoded.status.rawValue == 99)
        #expect(decoded.encoded() == [0x08, 0x63])

        let negative: [UInt8] = [0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]
        let decodedNegative = try HealthCheckResponse(protobufBytes: negative)
        #expect(decodedNegative.status == .unrecognized(-1))
        #expect(decodedNegative.encoded() == negative)
    }

    @Test func enumNamesAndNumbers() {
        #expect(ServingStatus(rawValue: 2) == .notServing)
        #expect(ServingStatus(rawValue: 0) == .unspecified)
        #expect(ServingStatus.unrecognized(1) == .serving)  // equal by number
        #expect(ServingStatus(jsonName: "not_serving") == .notServing)
        #expect(ServingStatus(jsonName: "bogus") == nil)
        #expect(ValueType.fixedAmount.jsonName == "fixed_amount")
        #expect(VoucherCodeStatus(rawValue: 3) == .redeemed)
        #expect(OrderStatus().rawValue == 0)
    }

    @Test func unknownFieldsAreSkippedAndDropped() throws {
        let known: [UInt8] = [0x0A, 0x01, 0x72]  // reason = "r"
        let unknown: [UInt8] = [
            0xA0, 0x06, 0x96, 0x01,  // field 100, varint 150
            0xA9, 0x06, 1, 2, 3, 4, 5, 6, 7, 8,  // field 101, fixed64
            0xB2, 0x06, 0x03, 0x61, 0x62, 0x63,  // field 102, length-delimited "abc"
            0xC5, 0x06, 1, 2, 3, 4,  // field 104, fixed32
        ]
        let decoded = try ErrorDetail(protobufBytes: unknown + known + unknown)
        #expect(decoded == ErrorDetail(reason: "r"))
        #expect(decoded.encoded() == known)
    }

    @Test func unknownFieldInNestedMessageIsSkipped() throws {
        // metadata = KeyValue{key: "k", field 9: varint 1}
        let bytes: [UInt8] = [0x2A, 0x05, 0x0A, 0x01, 0x6B, 0x48, 0x01]
        let decoded = try TTRPCRequest(protobufBytes: bytes)
        #expect(decoded.metadata == [TTRPCKeyValue(key: "k")])
    }

    @Test func lastValueOfARepeatedScalarFieldWins() throws {
        // service = "a", then service = "b"
        let decoded = try TTRPCRequest(protobufBytes: [0x0A, 0x01, 0x61, 0x0A, 0x01, 0x62])
        #expect(decoded.service == "b")
    }

    @Test("strict strings: invalid UTF-8 and NUL are refused, naming the field")
    func strictStrings() throws {
        // protobuf-c accepts both; decoding used to repair the first and cut at the second.
        let invalid = #expect(throws: ProtoDecodingError.self) { try ErrorDetail(protobufBytes: [0x0A, 0x02, 0xFF, 0x41]) }
        #expect(invalid?.stringProblem == .init(field: "reason", kind: .invalidUTF8))
        let withNUL = #expect(throws: ProtoDecodingError.self) { try ErrorDetail(protobufBytes: [0x0A, 0x03, 0x61, 0x00, 0x62]) }
        #expect(withNUL?.stringProblem == .init(field: "reason", kind: .nul))
        // In a nested message too: Request.metadata[0].value.
        let nested: [UInt8] = [0x2A, 0x06, 0x0A, 0x01, 0x6B, 0x12, 0x01, 0x00]
        let inMetadata = #expect(throws: ProtoDecodingError.self) { try TTRPCRequest(protobufBytes: nested) }
        #expect(inMetadata?.stringProblem == .init(field: "metadata.value", kind: .nul))
        // Bytes fields may hold anything.
        #expect(try TTRPCRequest(protobufBytes: [0x1A, 0x02, 0x00, 0xFF]).payload == [0x00, 0xFF])
        #expect(try ErrorDetail(protobufBytes: [0x0A, 0x03, 0xC3, 0xA9, 0x41]).reason == "éA")
    }

    @Test func unicodeAndBinaryPayloads() throws {
        let payload: [UInt8] = (0...255).map { UInt8($0) } + [0, 0, 0xFF]
        let message = TTRPCRequest(service: "dïscøuntd.✓", method: "名前", payload: payload, timeoutNano: -1)
        #expect(try TTRPCRequest(protobufBytes: message.encoded()) == message)
    }
}
