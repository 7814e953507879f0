import DiscountClient

extension BridgeTools {
    /// Read-only daemon facts. Projects, tokens and Shopify credentials are
    /// deliberately not tools: secrets have no place in a model's context.
    static let admin: [BridgeTool] = [
        BridgeTool(read: "health", "Check that discountd is serving.") { _, client in try await client.health() },
        BridgeTool(
            read: "server_info",
            "The daemon's version, uptime, store backend, socket and change feed (cache staleness, PostgreSQL connection)."
        ) { _, client in
            try await client.serverInfo()
        },
    ]
}
