import ArgumentParser
import DiscountClient
import MCP

struct MCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the daemon's tools to an MCP client (Model Context Protocol) on stdin/stdout.",
        discussion: """
            An MCP client (an agent, Claude Desktop, an IDE) starts this command and talks JSON-RPC \
            on its stdin and stdout. Every tool call is forwarded to discountd over --socket with \
            --token. The tools with a documented API (get_my_discount_code, create_discount_code, \
            get_discount_code, the voucher tools) answer in its exact shape; the others answer the \
            JSON discountctl prints. Failures are tool errors carrying the message and hint. Nothing but protocol is written to stdout.

            Example:
              discountctl mcp --socket /run/discountd.sock --token "$DISCOUNTD_TOKEN"

            In an MCP client's configuration:
              {"mcpServers": {"discountd": {"command": "discountctl",
                "args": ["mcp", "--socket", "/run/discountd.sock"],
                "env": {"DISCOUNTD_TOKEN": "..."}}}}
            """)

    @OptionGroup var client: ClientOptions

    func run() async throws {
        let connection = DaemonConnection(
            socket: client.socket,
            options: .init(token: client.token, timeout: .nanoseconds(Int64(client.timeout * 1e9)), requestID: "discountctl-mcp"))
        let server = Server(
            name: "discountd", version: Discountctl.configuration.version,
            instructions: "Discount codes, vouchers and agent commission from the local discountd daemon.",
            capabilities: .init(tools: .init(listChanged: false)))
        let tools = BridgeTools.all
        let byName = Dictionary(uniqueKeysWithValues: tools.map { ($0.name, $0) })
        await server.withMethodHandler(ListTools.self) { _ in .init(tools: tools.map(\.listing)) }
        await server.withMethodHandler(CallTool.self) { params in
            guard let tool = byName[params.name] else {
                throw MCPError.invalidParams("unknown tool \(params.name)")
            }
            do {
                let arguments = try ToolArguments(params.arguments, for: tool)
                return ToolResult.success(try await connection.call { try await tool.run(arguments, $0) })
            } catch {
                return ToolResult.failure(error, shape: tool.failureShape)
            }
        }
        try await server.start(transport: StdioTransport())
        await server.waitUntilCompleted()
        await connection.close()
    }
}
