/// A JSON key of generated `encode(to:)`: the proto field name (snake_case).
package struct ProtoCodingKey: CodingKey, ExpressibleByStringLiteral {
    package var stringValue: String
    package var intValue: Int? { nil }

    package init(stringValue: String) { self.stringValue = stringValue }
    package init?(intValue: Int) { nil }
    package init(stringLiteral value: String) { self.stringValue = value }
}
