import DiscountClient
import MCP

/// What a tool call answers: the JSON text discountctl prints, or a tool
/// error (`isError`) whose text is JSON with the message and hint.
enum ToolResult {
    static func success(_ json: String) -> CallTool.Result {
        CallTool.Result(content: [.text(text: json, annotations: nil, _meta: nil)], isError: false)
    }

    static func failure(_ error: any Error, seedEnvelope: Bool) -> CallTool.Result {
        let body = FailureBody(error, seedEnvelope: seedEnvelope)
        let json = (try? JSONOutput.text(body)) ?? #"{"error": "\#(body.message)"}"#
        return CallTool.Result(content: [.text(text: json, annotations: nil, _meta: nil)], isError: true)
    }

    /// `{"error": message, "code", "reason", "hint", "field"}`; the voucher
    /// tools add the seed's `"success": false, "data": null`.
    struct FailureBody: Encodable {
        var message: String
        var code: String
        var reason = ""
        var hint = ""
        var field = ""
        var seedEnvelope: Bool

        init(_ error: any Error, seedEnvelope: Bool) {
            self.seedEnvelope = seedEnvelope
            switch error {
            case let error as RPCError:
                message = error.message
                code = error.code.name
                reason = error.detail?.reason ?? ""
                hint = error.detail?.hint ?? ""
                field = error.detail?.field ?? ""
            case let error as ToolArgumentError:
                message = error.message
                code = "INVALID_ARGUMENT"
                reason = "INVALID_ARGUMENT"
                hint = error.hint
                field = error.field
            case let error as DaemonUnreachable:
                message = "cannot reach discountd at \(error.socket): \(error.cause)"
                code = "UNAVAILABLE"
                hint = "start it with scripts/run, or give discountctl mcp the right --socket"
            default:
                message = "\(error)"
                code = "INTERNAL"
            }
        }

        enum CodingKeys: String, CodingKey { case error, code, reason, hint, field, success, data }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(message, forKey: .error)
            try c.encode(code, forKey: .code)
            if !reason.isEmpty { try c.encode(reason, forKey: .reason) }
            if !hint.isEmpty { try c.encode(hint, forKey: .hint) }
            if !field.isEmpty { try c.encode(field, forKey: .field) }
            if seedEnvelope {
                try c.encode(false, forKey: .success)
                try c.encodeNil(forKey: .data)
            }
        }
    }
}
