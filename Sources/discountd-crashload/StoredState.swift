/// The rows of the data file the checks compare acknowledgements with, read
/// in one snapshot.
struct StoredState {
    /// Canonical code -> id.
    var codes: [String: String] = [:]
    /// Live redemptions: order id -> discount code id.
    var redemptions: [String: String] = [:]
    /// Canonical voucher code -> (status, customer).
    var vouchers: [String: (status: String, customer: String?)] = [:]
    var agents: [Int64: String] = [:]
    /// "agent/campaign" -> code.
    var agentCodes: [String: String] = [:]
    /// Pool id -> code counts by state.
    var poolCounts: [String: (total: Int64, available: Int64)] = [:]
    var violations: [String] = []

    init(database: String) throws {
        let store = try StoreInspector(path: database)
        try store.rows("SELECT canonical_code, id FROM discount_codes") { codes[$0[0]!] = $0[1]! }
        try store.rows("SELECT order_id, discount_code_id FROM redemptions WHERE rolled_back_at IS NULL") {
            redemptions[$0[0]!] = $0[1]!
        }
        try store.rows("SELECT canonical_code, status, customer_id FROM voucher_codes WHERE status != 1") {
            vouchers[$0[0]!] = ($0[1]!, $0[2])
        }
        try store.rows("SELECT id, name FROM agents") { agents[Int64($0[0]!)!] = $0[1]! }
        try store.rows("SELECT agent_id, campaign_id, code FROM agent_codes") { agentCodes["\($0[0]!)/\($0[1]!)"] = $0[2]! }
        try store.rows(
            """
            SELECT p.id, count(*), sum(c.status = 1) FROM voucher_pools p JOIN voucher_codes c ON c.pool_key = p.pool_key
            GROUP BY p.id
            """
        ) { poolCounts[$0[0]!] = (Int64($0[1]!)!, Int64($0[2]!)!) }
        violations = try StoreInvariants.violations(store)
    }

    /// Acknowledged writes the file lacks or holds differently.
    func missing(_ acks: [Ack]) -> [String] {
        var problems: [String] = []
        for ack in acks {
            switch ack {
            case .code(let code, let id):
                if codes[code.uppercased()] != id { problems.append("code \(code) (\(id)) not stored") }
            case .redeem(let code, let order):
                guard let codeID = codes[code.uppercased()], redemptions[order] == codeID else {
                    problems.append("redemption of \(code) by \(order) not stored")
                    continue
                }
            case .assign(let customer, let code):
                let stored = vouchers[code.uppercased()]
                if stored?.status != "2" || stored?.customer != customer {
                    problems.append("voucher \(code) for \(customer) stored as \(String(describing: stored))")
                }
            case .agent(let name, let id):
                if agents[id] != name { problems.append("agent \(id) \(name) not stored") }
            case .agentCode(let agent, let campaign, let code):
                if agentCodes["\(agent)/\(campaign)"] != code { problems.append("agent code \(code) of \(agent) not stored") }
            }
        }
        return problems
    }
}
