import CProtoCodec
import CProtobufC

/// Checks what protobuf-c does not: that every `string` field holds UTF-8
/// without NUL. protobuf-c hands strings over NUL-terminated, so `A\0B`
/// would arrive as `A`, and it accepts any bytes; proto3 requires UTF-8.
/// Run on bytes protobuf-c has already parsed, so the walk can trust the
/// framing (it still stops at anything odd rather than read past the end).
@usableFromInline
enum PBCStringCheck {
    /// The problem with the first bad string field (at any depth), or nil.
    /// Fields are named by their path from the top message (`order.customer.name`),
    /// built only for a problem found: most requests have none.
    @usableFromInline
    static func problem(
        in bytes: UnsafeRawBufferPointer, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, depth: Int = 0
    ) -> ProtoDecodingError.StringProblem? {
        // The schema is not recursive; this bounds a hostile nesting anyway.
        guard depth < 32 else { return nil }
        var reader = WireReader(bytes: bytes)
        while let key = reader.varint() {
            let number = UInt32(truncatingIfNeeded: key >> 3)
            switch key & 7 {
            case 0: guard reader.varint() != nil else { return nil }
            case 1: guard reader.skip(8) else { return nil }
            case 5: guard reader.skip(4) else { return nil }
            case 2:
                guard let value = reader.lengthDelimited() else { return nil }
                guard let field = protobuf_c_message_descriptor_get_field(descriptor, number) else { continue }
                switch field.pointee.type {
                case PROTOBUF_C_TYPE_STRING:
                    if let kind = Self.problem(ofString: value) {
                        return .init(field: String(cString: field.pointee.name), kind: kind)
                    }
                case PROTOBUF_C_TYPE_MESSAGE:
                    guard let nested = field.pointee.descriptor?.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                    else { continue }
                    if let problem = Self.problem(in: value, nested, depth: depth + 1) {
                        return .init(field: String(cString: field.pointee.name) + "." + problem.field, kind: problem.kind)
                    }
                default:
                    continue
                }
            default:
                return nil
            }
        }
        return nil
    }

    private static func problem(ofString value: UnsafeRawBufferPointer) -> ProtoDecodingError.StringProblem.Kind? {
        var ascii = true
        for byte in value {
            if byte == 0 { return .nul }
            if byte >= 0x80 { ascii = false }
        }
        if ascii { return nil }
        return String(validating: value.bindMemory(to: UInt8.self), as: UTF8.self) == nil ? .invalidUTF8 : nil
    }
}

/// Reads protobuf wire primitives from a buffer without going past its end.
private struct WireReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    mutating func varint() -> UInt64? {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while offset < bytes.count, shift < 64 {
            let byte = bytes[offset]
            offset += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        return nil
    }

    mutating func skip(_ count: Int) -> Bool {
        guard bytes.count - offset >= count else { return false }
        offset += count
        return true
    }

    mutating func lengthDelimited() -> UnsafeRawBufferPointer? {
        guard let length = varint(), length <= UInt64(bytes.count - offset) else { return nil }
        let start = offset
        offset += Int(length)
        return UnsafeRawBufferPointer(rebasing: bytes[start..<offset])
    }
}
