import MCP

/// One named argument of a tool.
struct ToolParameter: Sendable {
    indirect enum Kind: Sendable {
        case string, integer, number, boolean
        /// RFC 3339, e.g. 2026-06-01T00:00:00Z.
        case timestamp
        case strings
        case oneOf([String])
        /// An id the documented API types as a string; a JSON integer is taken too.
        case stringOrInteger
        /// The documented int32 flag, 1 yes and 0 no; true and false are taken too.
        case oneOrZero
        /// A JSON object with parameters of its own.
        case object([ToolParameter])
    }

    let name: String
    let kind: Kind
    let required: Bool
    /// The schema allows null (which means the same as leaving it out).
    let nullable: Bool
    let description: String

    static func required(_ name: String, _ kind: Kind, _ description: String) -> Self {
        Self(name: name, kind: kind, required: true, nullable: false, description: description)
    }

    static func optional(_ name: String, _ kind: Kind, _ description: String, nullable: Bool = false) -> Self {
        Self(name: name, kind: kind, required: false, nullable: nullable, description: description)
    }

    /// `{"type": "object", "properties": …, "required": […]}` of `parameters`.
    static func objectSchema(_ parameters: [ToolParameter]) -> Value {
        .object([
            "type": "object",
            "properties": .object(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.schema) })),
            "required": .array(parameters.filter(\.required).map { .string($0.name) }),
            "additionalProperties": false,
        ])
    }

    var schema: Value {
        var schema: [String: Value]
        switch kind {
        case .object(let fields):
            guard case .object(let object) = Self.objectSchema(fields) else { preconditionFailure() }
            schema = object
        case .string, .stringOrInteger: schema = ["type": "string"]
        case .integer: schema = ["type": "integer"]
        case .number: schema = ["type": "number"]
        case .boolean: schema = ["type": "boolean"]
        case .timestamp: schema = ["type": "string", "format": "date-time"]
        case .strings: schema = ["type": "array", "items": .object(["type": "string"])]
        case .oneOf(let values): schema = ["type": "string", "enum": .array(values.map { .string($0) })]
        case .oneOrZero: schema = ["type": "integer", "enum": [0, 1]]
        }
        schema["description"] = .string(description)
        if nullable, let type = schema["type"] {
            schema["type"] = [type, "null"]
            schema["default"] = .null
        }
        return .object(schema)
    }
}
