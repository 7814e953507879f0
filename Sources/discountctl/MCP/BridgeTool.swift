import DiscountClient
import MCP

/// One MCP tool: its name and parameters (as the documented APIs have them
/// where there is one), the daemon call it forwards to, and how it words a
/// failure. The input schema is drawn from `parameters`.
struct BridgeTool: Sendable {
    /// What a call does to the daemon's data, told to clients as annotations.
    enum Effect: Sendable {
        /// Changes nothing (readOnlyHint).
        case read
        /// Changes data; an idempotency_key parameter makes a retry safe.
        case write
        /// Changes data on the first call only (get-or-create): idempotentHint.
        case idempotentWrite
    }

    let name: String
    let description: String
    let parameters: [ToolParameter]
    let effect: Effect
    /// Reaches past the daemon (Shopify): openWorldHint.
    let openWorld: Bool
    let failureShape: FailureShape
    /// Calls the daemon and returns the answer's JSON text.
    let run: @Sendable (ToolArguments, DiscountClient) async throws -> String

    /// A read.
    init<Result: Encodable & Sendable>(
        read name: String, _ description: String, _ parameters: [ToolParameter] = [], failure: FailureShape = .plain,
        _ call: @escaping @Sendable (ToolArguments, DiscountClient) async throws -> Result
    ) {
        self.init(name, description, parameters, effect: .read, openWorld: false, failure: failure, call)
    }

    /// A write: takes an optional idempotency_key besides `parameters`.
    init<Result: Encodable & Sendable>(
        write name: String, _ description: String, _ parameters: [ToolParameter], failure: FailureShape = .plain,
        _ call: @escaping @Sendable (ToolArguments, DiscountClient) async throws -> Result
    ) {
        let key = ToolParameter.optional(
            "idempotency_key", .string,
            "Sent again with the same key and arguments, the call returns the first answer instead of acting twice.")
        self.init(name, description, parameters + [key], effect: .write, openWorld: false, failure: failure, call)
    }

    /// A get-or-create write, idempotent by itself (no idempotency_key).
    init<Result: Encodable & Sendable>(
        idempotent name: String, _ description: String, _ parameters: [ToolParameter], openWorld: Bool,
        failure: FailureShape = .plain,
        _ call: @escaping @Sendable (ToolArguments, DiscountClient) async throws -> Result
    ) {
        self.init(name, description, parameters, effect: .idempotentWrite, openWorld: openWorld, failure: failure, call)
    }

    private init<Result: Encodable & Sendable>(
        _ name: String, _ description: String, _ parameters: [ToolParameter], effect: Effect, openWorld: Bool,
        failure: FailureShape, _ call: @escaping @Sendable (ToolArguments, DiscountClient) async throws -> Result
    ) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.effect = effect
        self.openWorld = openWorld
        self.failureShape = failure
        self.run = { arguments, client in
            let result = try await call(arguments, client)
            // The documented shapes write themselves: key order and 10.0 kept.
            if let documented = result as? DocumentedJSON { return documented.text }
            return try JSONOutput.text(result)
        }
    }

    /// The tool as MCP lists it: a JSON Schema object of the parameters.
    var listing: Tool {
        Tool(
            name: name, description: description,
            inputSchema: ToolParameter.objectSchema(parameters),
            annotations: .init(
                readOnlyHint: effect == .read,
                destructiveHint: effect == .read ? nil : name.hasPrefix("delete_"),
                idempotentHint: effect == .idempotentWrite ? true : nil,
                openWorldHint: openWorld))
    }
}
