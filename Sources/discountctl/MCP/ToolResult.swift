import MCP

/// What a tool call answers: JSON text, or a tool error (`isError`) whose
/// text is JSON in the tool's failure shape.
enum ToolResult {
    static func success(_ json: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: json, annotations: nil, _meta: nil)], isError: false)
    }

    static func failure(_ error: any Error, shape: FailureShape) -> CallTool.Result {
        CallTool.Result(content: [.text(text: shape.body(ToolFailure(error)).text, annotations: nil, _meta: nil)], isError: true)
    }
}
