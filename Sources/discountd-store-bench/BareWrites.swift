import CSQLite
import DiscountCore
import SystemRandom

/// Each scenario's write as the statements the store runs for it (see the
/// store's `SQLiteStore+…` files and `DeferredCounts`; kept in step by hand,
/// as a benchmark may be), on the fixture rows `StoreScenario.setUp` made.
struct BareWrites {
    /// The `n`th call makes the `n`th write and says whether it wrote.
    let write: (_ n: Int) -> Bool
    /// Run before each COMMIT: the counters the store writes once per
    /// transaction (`DeferredCounts`). False if a statement failed.
    var beforeCommit: () -> Bool = { true }

    static func make(for fixture: StoreFixture, on db: OpaquePointer) throws -> BareWrites {
        let project = BareValue.text(Project.defaultID)
        switch fixture {
        case .rule(let rule):
            let insert = try BareStatement(
                db,
                """
                INSERT INTO discount_codes (project_id, id, price_rule_id, code, canonical_code, use_with_other, usage_limit,
                    usage_count, created_at, updated_at, version)
                VALUES (?1, ?2, ?3, ?4, ?5, 0, NULL, 0, ?6, ?6, 1)
                """)
            return BareWrites { n in
                // Code text like the store's and the daemon's benchmark creates (a name and a count).
                let code = BareValue.text("STORE-BENCH-\(n)")
                return insert.run(
                    project, .text(TimeOrderedID.make()), .text(rule.id), code, code, .int(Instant.now().microseconds))
            }
        case .codeToRedeem(let code):
            let find = try BareStatement(
                db,
                """
                SELECT c.id, c.usage_limit, c.usage_count, r.usage_limit, r.usage_count, r.once_per_customer
                FROM discount_codes c JOIN price_rules r ON r.project_id = c.project_id AND r.id = c.price_rule_id
                WHERE c.project_id = ?1 AND c.canonical_code = ?2
                """)
            let insert = try BareStatement(
                db,
                """
                INSERT OR IGNORE INTO redemptions (project_id, order_id, discount_code_id, price_rule_id, customer_id, created_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                """)
            let countCode = try BareStatement(
                db,
                "UPDATE discount_codes SET usage_count = usage_count + ?3, version = version + ?3 WHERE project_id = ?1 AND id = ?2"
            )
            let countRule = try BareStatement(
                db,
                "UPDATE price_rules SET usage_count = usage_count + ?3, version = version + ?3 WHERE project_id = ?1 AND id = ?2")
            let (codeID, ruleID) = (BareValue.text(code.id), BareValue.text(code.priceRuleID))
            var uses: Int64 = 0
            return BareWrites(
                write: { n in
                    let order = BareValue.text("order-\(n)")
                    // The store reads a code once until its counts are written (`DeferredCounts`).
                    guard uses > 0 || !find.integers(project, .text(code.canonicalCode)).isEmpty,
                        insert.run(project, order, codeID, ruleID, .null, .int(Instant.now().microseconds)),
                        sqlite3_changes(db) == 1
                    else { return false }
                    uses += 1
                    return true
                },
                beforeCommit: {
                    defer { uses = 0 }
                    return uses == 0 || (countCode.run(project, codeID, .int(uses)) && countRule.run(project, ruleID, .int(uses)))
                })
        case .pool(let pool):
            let poolKey =
                try BareStatement(db, "SELECT pool_key FROM voucher_pools WHERE project_id = ?1 AND id = ?2")
                .integers(project, .text(pool.id)).first.map(BareValue.int) ?? .null
            // The store reads a pool's next codes ahead, up to 64 at a time (`VoucherReadAhead`).
            let nextAvailable = try BareStatement(
                db,
                """
                SELECT seq FROM voucher_codes INDEXED BY voucher_codes_by_status
                WHERE pool_key = ?1 AND status = 1 ORDER BY seq LIMIT 64
                """)
            let take = try BareStatement(
                db,
                """
                UPDATE voucher_codes SET status = 2, customer_id = ?3, used_by = '', assigned_at = ?4
                WHERE pool_key = ?1 AND seq = ?2 AND status = 1
                """)
            let countAssigned = try BareStatement(
                db, "UPDATE voucher_pools SET available = available - ?2, assigned = assigned + ?2 WHERE pool_key = ?1")
            var ahead: ArraySlice<Int64> = []
            var assigned: Int64 = 0
            return BareWrites(
                write: { n in
                    if ahead.isEmpty { ahead = nextAvailable.integers(poolKey, limit: 64)[...] }
                    guard let sequence = ahead.popFirst(),
                        take.run(poolKey, .int(sequence), .text("customer-\(n)"), .int(Instant.now().microseconds)),
                        sqlite3_changes(db) == 1
                    else { return false }
                    assigned += 1
                    return true
                },
                beforeCommit: {
                    defer { assigned = 0 }
                    return assigned == 0 || countAssigned.run(poolKey, .int(assigned))
                })
        case .campaign(let campaign, let agents):
            let byPair = try BareStatement(
                db, "SELECT id FROM agent_codes WHERE project_id = ?1 AND agent_id = ?2 AND campaign_id = ?3")
            let taken = try BareStatement(
                db,
                """
                SELECT EXISTS (SELECT 1 FROM agent_codes WHERE project_id = ?1 AND canonical_code = ?2)
                    OR EXISTS (SELECT 1 FROM discount_codes WHERE project_id = ?1 AND canonical_code = ?2)
                """)
            let insert = try BareStatement(
                db,
                """
                INSERT INTO agent_codes (project_id, agent_id, campaign_id, code, canonical_code, created_at, sync_status, sync_error)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                """)
            let sync = (
                BareValue.text(ShopifySyncStatus.skippedNoCredentials.rawValue),
                BareValue.text(ShopifySyncError.missingShopifyCredentials.rawValue)
            )
            return BareWrites { n in
                let agent = agents[n % agents.count]
                guard byPair.integers(project, .int(agent.id), .int(campaign.id)).isEmpty else { return false }
                for _ in 0..<20 {
                    let text = AgentCodeFormat.make(agentName: agent.name)
                    let canonical = BareValue.text(text.uppercased())
                    if taken.integers(project, canonical).first == 1 { continue }
                    return insert.run(
                        project, .int(agent.id), .int(campaign.id), .text(text), canonical,
                        .int(Instant.now().microseconds), sync.0, sync.1)
                }
                return false
            }
        }
    }
}
