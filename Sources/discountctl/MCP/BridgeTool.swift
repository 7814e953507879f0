import DiscountClient
import MCP

/// One MCP tool: its name and parameters as the seeds have them, and the
/// daemon call it forwards to. The input schema is drawn from `parameters`.
struct BridgeTool: Sendable {
    let name: String
    let description: String
    let parameters: [ToolParameter]
    /// Reads change nothing (told to clients as readOnlyHint).
    let readOnly: Bool
    /// Answers in the voucher seed's `{"success", "data", "error"}` envelope, failures too.
    let seedEnvelope: Bool
    /// Calls the daemon and returns the JSON text discountctl would print.
    let run: @Sendable (ToolArguments, DiscountClient) async throws -> String

    /// A read.
    init<Result: Encodable>(
        read name: String, _ description: String, _ parameters: [ToolParameter] = [], seedEnvelope: Bool = false,
        _ call: @escaping @Sendable (ToolArguments, DiscountClient) async throws -> Result
    ) {
        self.init(name, description, parameters, readOnly: true, seedEnvelope: seedEnvelope, call)
    }

    /// A write: takes an optional idempotency_key besides `parameters`.
    init<Result: Encodable>(
        write name: String, _ description: String, _ parameters: [ToolParameter], seedEnvelope: Bool = false,
        _ call: @escaping @Sendable (ToolArguments, DiscountClient) async throws -> Result
    ) {
        let key = ToolParameter.optional(
            "idempotency_key", .string,
            "Sent again with the same key and arguments, the call returns the first answer instead of acting twice.")
        self.init(name, description, parameters + [key], readOnly: false, seedEnvelope: seedEnvelope, call)
    }

    private init<Result: Encodable>(
        _ name: String, _ description: String, _ parameters: [ToolParameter], readOnly: Bool, seedEnvelope: Bool,
        _ call: @escaping @Sendable (ToolArguments, DiscountClient) async throws -> Result
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.readOnly = readOnly
        self.seedEnvelope = seedEnvelope
        self.run = { try JSONOutput.text(try await call($0, $1)) }
    }

    /// The tool as MCP lists it: a JSON Schema object of the parameters.
    var listing: Tool {
        Tool(
            name: name, description: description,
            inputSchema: .object([
                "type": "object",
                "properties": .object(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.schema) })),
                "required": .array(parameters.filter(\.required).map { .string($0.name) }),
                "additionalProperties": false,
            ]),
            annotations: .init(readOnlyHint: readOnly, destructiveHint: readOnly ? nil : name.hasPrefix("delete_"),
                               openWorldHint: false))
    }
}

/// One named argument of a tool.
struct ToolParameter: Sendable {
    enum Kind: Sendable, Equatable {
        case string, integer, number, boolean
        /// RFC 3339, e.g. 2026-06-01T00:00:00Z.
        case timestamp
        case strings
        case oneOf([String])
    }

    let name: String
    let kind: Kind
    let required: Bool
    let description: String

    static func required(_ name: String, _ kind: Kind, _ description: String) -> Self {
        Self(name: name, kind: kind, required: true, description: description)
    }

    static func optional(_ name: String, _ kind: Kind, _ description: String) -> Self {
        Self(name: name, kind: kind, required: false, description: description)
    }

    var schema: Value {
        var schema: [String: Value] = ["description": .string(description)]
        switch kind {
        case .string: schema["type"] = "string"
        case .integer: schema["type"] = "integer"
        case .number: schema["type"] = "number"
        case .boolean: schema["type"] = "boolean"
        case .timestamp:
            schema["type"] = "string"
            schema["format"] = "date-time"
        case .strings:
            schema["type"] = "array"
            schema["items"] = .object(["type": "string"])
        case .oneOf(let values):
            schema["type"] = "string"
            schema["enum"] = .array(values.map { .string($0) })
        }
        return .object(schema)
    }
}
