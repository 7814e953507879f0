import DiscountClient
import MCP

/// A call's arguments, checked against the tool's parameters before the call:
/// unknown names, missing required ones and wrong types are refused with the
/// parameter named, so an agent can correct itself.
struct ToolArguments: Sendable {
    private let values: [String: Value]

    init(_ arguments: [String: Value]?, for tool: BridgeTool) throws(ToolArgumentError) {
        let values = (arguments ?? [:]).filter { !$0.value.isNull }
        let known = tool.parameters.map(\.name)
        for name in values.keys.sorted() where !known.contains(name) {
            throw ToolArgumentError(
                field: name, message: "\(tool.name) has no argument \(name)",
                hint: known.isEmpty ? "\(tool.name) takes no arguments" : "\(tool.name) takes: \(known.joined(separator: ", "))")
        }
        for parameter in tool.parameters {
            guard let value = values[parameter.name] else {
                if parameter.required {
                    throw ToolArgumentError(
                        field: parameter.name, message: "\(parameter.name) is required",
                        hint: "\(parameter.name): \(parameter.description)")
                }
                continue
            }
            try Self.check(value, against: parameter)
        }
        self.values = values
    }

    func string(_ name: String) -> String { optionalString(name) ?? "" }
    func optionalString(_ name: String) -> String? { values[name]?.stringValue }
    func strings(_ name: String) -> [String] { values[name]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    func int64(_ name: String) -> Int64 { optionalInt64(name) ?? 0 }
    func optionalInt64(_ name: String) -> Int64? { values[name].flatMap(Self.integer) }
    func optionalInt32(_ name: String) -> Int32? { optionalInt64(name).map { Int32(clamping: $0) } }
    func double(_ name: String) -> Double { optionalDouble(name) ?? 0 }
    func optionalDouble(_ name: String) -> Double? { values[name].flatMap(Self.number) }
    func bool(_ name: String) -> Bool { optionalBool(name) ?? false }
    func optionalBool(_ name: String) -> Bool? { values[name]?.boolValue }
    func timestamp(_ name: String) -> ProtoTimestamp? { optionalString(name).flatMap(RFC3339Timestamp.parse) }
    var idempotencyKey: String? { optionalString("idempotency_key") }
    /// The voucher seed's project_id; empty means the token's own project.
    var projectID: String { string("project_id") }

    private static func check(_ value: Value, against parameter: ToolParameter) throws(ToolArgumentError) {
        let ok: Bool
        var expected: String
        switch parameter.kind {
        case .string:
            ok = value.stringValue != nil
            expected = "a string"
        case .integer:
            ok = integer(value) != nil
            expected = "an integer"
        case .number:
            ok = number(value) != nil
            expected = "a number"
        case .boolean:
            ok = value.boolValue != nil
            expected = "true or false"
        case .timestamp:
            ok = value.stringValue.flatMap(RFC3339Timestamp.parse) != nil
            expected = "an RFC 3339 instant such as 2026-06-01T00:00:00Z"
        case .strings:
            ok = value.arrayValue?.allSatisfy { $0.stringValue != nil } == true
            expected = "a list of strings"
        case .oneOf(let allowed):
            ok = value.stringValue.map(allowed.contains) == true
            expected = "one of \(allowed.joined(separator: ", "))"
        }
        if !ok {
            throw ToolArgumentError(
                field: parameter.name, message: "\(parameter.name) must be \(expected)",
                hint: "\(parameter.name): \(parameter.description)")
        }
    }

    /// JSON numbers arrive as int or double; whole doubles count as integers.
    private static func integer(_ value: Value) -> Int64? {
        if let int = value.intValue { return Int64(int) }
        if let double = value.doubleValue, double == double.rounded(), abs(double) < 9.0e15 { return Int64(double) }
        return nil
    }

    private static func number(_ value: Value) -> Double? {
        value.doubleValue ?? value.intValue.map(Double.init)
    }
}

/// A call refused before reaching the daemon, like the daemon's INVALID_ARGUMENT.
struct ToolArgumentError: Error {
    let field: String
    let message: String
    let hint: String
}
