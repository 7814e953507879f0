/// A JSON answer written the way the documented APIs print theirs: keys in
/// the order given, nulls written out rather than left away, and a float
/// always with a fraction or exponent (`10.0`, never `10`), so a client reads
/// `discount_percent` or a Unix timestamp as a float whatever its value.
/// (Foundation's JSONEncoder writes 10.0 as `10` and sorts or scrambles keys.)
indirect enum DocumentedJSON: Sendable {
    case null
    case bool(Bool)
    case integer(Int64)
    case float(Double)
    case string(String)
    case array([DocumentedJSON])
    case object([(String, DocumentedJSON)])

    /// `.string(value)`, or null when there is none.
    static func string(_ value: String?) -> Self { value.map { .string($0) } ?? .null }

    /// The text, indented by two spaces a level.
    var text: String {
        var out = ""
        write(into: &out, indent: "")
        return out
    }

    private func write(into out: inout String, indent: String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .integer(let value): out += String(value)
        // Swift's shortest round-trip form always has "." or "e"; JSON has no NaN or infinity.
        case .float(let value): out += value.isFinite ? value.description : "null"
        case .string(let value): Self.quote(value, into: &out)
        case .array(let items):
            guard !items.isEmpty else { return out += "[]" }
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += indent + "  "
                item.write(into: &out, indent: indent + "  ")
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let members):
            guard !members.isEmpty else { return out += "{}" }
            out += "{\n"
            for (index, (key, value)) in members.enumerated() {
                out += indent + "  "
                Self.quote(key, into: &out)
                out += ": "
                value.write(into: &out, indent: indent + "  ")
                out += index == members.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        }
    }

    /// A JSON string: quote, backslash and control characters escaped, the rest as is (UTF-8).
    private static func quote(_ text: String, into out: inout String) {
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// Encodable so a tool may return it like any answer; BridgeTool writes it with `text`.
extension DocumentedJSON: Encodable {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: any Encoder) throws {
        switch self {
        case .object(let members):
            var c = encoder.container(keyedBy: Key.self)
            for (key, value) in members { try c.encode(value, forKey: Key(stringValue: key)) }
        case .array(let items):
            var c = encoder.unkeyedContainer()
            for item in items { try c.encode(item) }
        default:
            var c = encoder.singleValueContainer()
            switch self {
            case .null: try c.encodeNil()
            case .bool(let value): try c.encode(value)
            case .integer(let value): try c.encode(value)
            case .float(let value): try c.encode(value)
            case .string(let value): try c.encode(value)
            case .array, .object: break
            }
        }
    }
}
