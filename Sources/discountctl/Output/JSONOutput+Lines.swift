import Foundation

extension JSONOutput {
    /// One compact JSON object per line (JSON Lines), for streams.
    static func printLines<Value: Encodable>(_ values: [Value]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var text = ""
        for value in values {
            text += String(decoding: try encoder.encode(value), as: UTF8.self)
            text += "\n"
        }
        Swift.print(text, terminator: "")
    }
}
