import Foundation

/// Prints values as JSON in the seeds' field names (the generated Encodable keys).
enum JSONOutput {
    static func print<Value: Encodable>(_ value: Value) throws {
        Swift.print(try text(value))
    }

    /// The JSON discountctl prints for `value` (the MCP bridge answers the same text).
    static func text<Value: Encodable>(_ value: Value) throws -> String {
        String(decoding: try encoder(pretty: true).encode(value), as: UTF8.self)
    }

    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        // Sorted keys: the same value prints the same text (scripts can diff it).
        encoder.outputFormatting =
            pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
