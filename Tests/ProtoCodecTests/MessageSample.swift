import ProtoCodec
import Testing

/// A message value and the bytes another implementation (Python's protobuf,
/// at generation time) encodes it to.
struct MessageSample: Sendable, CustomTestStringConvertible {
    let message: any ProtoMessage
    let bytes: [UInt8]

    init(_ message: some ProtoMessage, bytes: [UInt8]) {
        self.message = message
        self.bytes = bytes
    }

    var protoName: String { type(of: message).protoName }
    var testDescription: String { protoName }
}

extension Array where Element == UInt8 {
    /// Bytes from a hex string such as "0a13646973".
    init(hex: String) {
        let digits = Array(hex.utf8)
        precondition(digits.count % 2 == 0, "odd hex string")
        self = stride(from: 0, to: digits.count, by: 2).map { i in
            UInt8(String(decoding: digits[i..<i + 2], as: UTF8.self), radix: 16)!
        }
    }

    var hex: String { map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
}
