/// A request payload with slots that differ per call, so that writes which must
/// not repeat (a new code, customer, order or agent per call) need no encoding
/// per call. The same convention as scripts/bench/ttrpc_bench.c, so a template's
/// hex drives either load generator:
/// - every run of twelve `@` becomes the call's unique number in base 36,
///   `(runID << 40) | sequence`, 12 upper-case digits;
/// - one run of exactly ten `#` becomes a 10-byte (non-minimal, valid) protobuf
///   varint of `varintBase + sequence` (e.g. a new agent id per call).
public struct PayloadTemplate: Sendable, Equatable {
    public static let placeholder = String(repeating: "@", count: 12)
    public static let varintPlaceholder = [UInt8](repeating: UInt8(ascii: "#"), count: 10)
    static let sequenceBits = 40

    public let bytes: [UInt8]
    /// Offsets of the twelve-`@` runs.
    public let placeholderOffsets: [Int]
    /// Offset of the ten-`#` run, if any.
    public let varintOffset: Int?

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        var offsets: [Int] = []
        var index = 0
        while index + 12 <= bytes.count {
            if bytes[index..<index + 12].allSatisfy({ $0 == UInt8(ascii: "@") }) {
                offsets.append(index)
                index += 12
            } else {
                index += 1
            }
        }
        placeholderOffsets = offsets
        varintOffset = Self.firstRun(of: Self.varintPlaceholder, in: bytes)
    }

    public var isConstant: Bool { placeholderOffsets.isEmpty && varintOffset == nil }

    /// Lower-case hex of the template, as ttrpc_bench's `--hex` takes it.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The payload of call `sequence` of run `runID`.
    public func payload(sequence: UInt64, runID: UInt64, varintBase: Int64 = 0) -> [UInt8] {
        if isConstant { return bytes }
        var out = bytes
        fill(&out, sequence: sequence, runID: runID, varintBase: varintBase)
        return out
    }

    func fill(_ out: inout [UInt8], sequence: UInt64, runID: UInt64, varintBase: Int64) {
        if !placeholderOffsets.isEmpty {
            let digits = Self.base36(runID << UInt64(Self.sequenceBits) | sequence)
            for offset in placeholderOffsets {
                for k in 0..<12 { out[offset + k] = digits[k] }
            }
        }
        if let offset = varintOffset {
            var value = UInt64(varintBase) &+ (sequence & (1 << UInt64(Self.sequenceBits) - 1))
            for k in 0..<9 {
                out[offset + k] = UInt8(truncatingIfNeeded: value & 0x7f) | 0x80
                value >>= 7
            }
            out[offset + 9] = UInt8(truncatingIfNeeded: value & 0x01)
        }
    }

    /// `value` as exactly 12 upper-case base-36 digits (36^12 > 2^62).
    public static func base36(_ value: UInt64) -> [UInt8] {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        var digits = [UInt8](repeating: UInt8(ascii: "0"), count: 12)
        var rest = value
        for k in stride(from: 11, through: 0, by: -1) {
            digits[k] = alphabet[Int(rest % 36)]
            rest /= 36
        }
        return digits
    }

    static func firstRun(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return start
        }
        return nil
    }
}
