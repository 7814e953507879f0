import DiscountClient
import MCP

/// A call's arguments, checked against the tool's parameters before the call:
/// unknown names, missing required ones and wrong types are refused with the
/// parameter named (`discount_code.code` inside an object), so an agent can
/// correct itself. Null counts as left out.
struct ToolArguments: Sendable {
    private let values: [String: Value]

    init(_ arguments: [String: Value]?, for tool: BridgeTool) throws(ToolArgumentError) {
        self.values = try Self.checked(arguments ?? [:], tool.parameters, tool: tool.name, path: "")
    }

    private init(checked values: [String: Value]) { self.values = values }

    private static func checked(
        _ arguments: [String: Value], _ parameters: [ToolParameter], tool: String, path: String
    ) throws(ToolArgumentError) -> [String: Value] {
        let values = arguments.filter { !$0.value.isNull }
        let known = parameters.map(\.name)
        for name in values.keys.sorted() where !known.contains(name) {
            let takes = known.map { path + $0 }.joined(separator: ", ")
            throw ToolArgumentError(
                field: path + name, message: "\(tool) has no argument \(path + name)",
                hint: known.isEmpty ? "\(tool) takes no arguments" : "\(tool) takes: \(takes)")
        }
        var checked: [String: Value] = [:]
        for parameter in parameters {
            let field = path + parameter.name
            guard let value = values[parameter.name] else {
                if parameter.required {
                    throw ToolArgumentError(
                        field: field, message: "\(field) is required", hint: "\(field): \(parameter.description)")
                }
                continue
            }
            if case .object(let fields) = parameter.kind, let object = value.objectValue {
                checked[parameter.name] = .object(try Self.checked(object, fields, tool: tool, path: field + "."))
                continue
            }
            try Self.check(value, against: parameter, field: field)
            checked[parameter.name] = value
        }
        return checked
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
    /// The voucher tools' project_id; empty means the token's own project.
    var projectID: String { string("project_id") }

    /// A `.stringOrInteger` argument as text: `"5"` and `5` both give "5" (and 5.5 gives "5.5").
    func idText(_ name: String) -> String? {
        optionalString(name) ?? optionalInt64(name).map { String($0) } ?? optionalDouble(name).map { "\($0)" }
    }

    /// A `.oneOrZero` argument: 1 or true is yes, 0 or false no; nil when left out.
    func oneOrZero(_ name: String) -> Bool? {
        optionalBool(name) ?? optionalInt64(name).map { $0 == 1 }
    }

    /// An `.object` argument's own arguments (empty when left out).
    func object(_ name: String) -> ToolArguments {
        ToolArguments(checked: values[name]?.objectValue ?? [:])
    }

    private static func check(_ value: Value, against parameter: ToolParameter, field: String) throws(ToolArgumentError) {
        let ok: Bool
        var expected: String
        switch parameter.kind {
        case .string:
            ok = value.stringValue != nil
            expected = "a string"
        case .stringOrInteger:
            // Any number passes, so that an id no agent can have is "not registered", not a type error.
            ok = value.stringValue != nil || number(value) != nil
            expected = "a string (an integer is taken too)"
        case .integer:
            ok = integer(value) != nil
            expected = "an integer"
        case .number:
            ok = number(value) != nil
            expected = "a number"
        case .boolean:
            ok = value.boolValue != nil
            expected = "true or false"
        case .oneOrZero:
            ok = value.boolValue != nil || integer(value).map { $0 == 0 || $0 == 1 } == true
            expected = "1 (yes) or 0 (no)"
        case .timestamp:
            ok = value.stringValue.flatMap(RFC3339Timestamp.parse) != nil
            expected = "an RFC 3339 instant such as 2026-06-01T00:00:00Z"
        case .strings:
            ok = value.arrayValue?.allSatisfy { $0.stringValue != nil } == true
            expected = "a list of strings"
        case .oneOf(let allowed):
            ok = value.stringValue.map(allowed.contains) == true
            expected = "one of \(allowed.joined(separator: ", "))"
        case .object:
            ok = false  // An object is checked field by field before this.
            expected = "an object"
        }
        if !ok {
            throw ToolArgumentError(
                field: field, message: "\(field) must be \(expected)", hint: "\(field): \(parameter.description)")
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
