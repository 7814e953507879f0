/// Every tool `discountctl mcp` serves, in the order clients list them.
enum BridgeTools {
    static let all: [BridgeTool] = commission + priceRules + vouchers + admin
}
