/// Rules the stored state must obey whatever moment the daemon died at: a
/// write is applied whole or not at all.
enum StoreInvariants {
    /// Each rule: a name and a query counting its violations.
    static let rules: [(name: String, sql: String)] = [
        (
            "discount code usage_count = its live redemptions",
            """
            SELECT count(*) FROM discount_codes d WHERE d.usage_count != (
                SELECT count(*) FROM redemptions r WHERE r.project_id = d.project_id
                AND r.discount_code_id = d.id AND r.rolled_back_at IS NULL)
            """
        ),
        (
            "price rule usage_count = its live redemptions",
            """
            SELECT count(*) FROM price_rules p WHERE p.usage_count != (
                SELECT count(*) FROM redemptions r WHERE r.project_id = p.project_id
                AND r.price_rule_id = p.id AND r.rolled_back_at IS NULL)
            """
        ),
        (
            "discount code usage_count <= usage_limit",
            """
            SELECT count(*) FROM discount_codes WHERE usage_limit IS NOT NULL AND usage_count > usage_limit
            """
        ),
        (
            "pool total/available/assigned/redeemed = its codes' states",
            """
            SELECT count(*) FROM voucher_pools p WHERE
                p.total != (SELECT count(*) FROM voucher_codes c WHERE c.pool_key = p.pool_key)
                OR p.available != (SELECT count(*) FROM voucher_codes c WHERE c.pool_key = p.pool_key AND c.status = 1)
                OR p.assigned != (SELECT count(*) FROM voucher_codes c WHERE c.pool_key = p.pool_key AND c.status = 2)
                OR p.redeemed != (SELECT count(*) FROM voucher_codes c WHERE c.pool_key = p.pool_key AND c.status = 3)
            """
        ),
        (
            "a voucher code's assignment fields match its status",
            """
            SELECT count(*) FROM voucher_codes WHERE status != 1 AND assigned_at IS NULL
                OR status = 1 AND (customer_id IS NOT NULL OR assigned_at IS NOT NULL)
            """
        ),
        (
            "one agent code per (agent, campaign)",
            """
            SELECT count(*) FROM (SELECT 1 FROM agent_codes GROUP BY agent_id, campaign_id HAVING count(*) > 1)
            """
        ),
        (
            "every agent code belongs to a registered agent",
            """
            SELECT count(*) FROM agent_codes c WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = c.agent_id)
            """
        ),
    ]

    /// The violated rules (with their counts), and the integrity checks' complaints.
    static func violations(_ store: StoreInspector) throws -> [String] {
        var found: [String] = []
        for rule in rules {
            let count = try store.scalar(rule.sql) ?? "?"
            if count != "0" { found.append("\(rule.name): \(count) violations") }
        }
        let integrity = try store.scalar("PRAGMA integrity_check") ?? "?"
        if integrity != "ok" { found.append("integrity_check: \(integrity)") }
        try store.rows("PRAGMA foreign_key_check") { found.append("foreign_key_check: \($0)") }
        return found
    }
}
