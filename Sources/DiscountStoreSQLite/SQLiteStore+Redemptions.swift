import DiscountCore
import DiscountStore

private enum SQL {
    static let codeAndRule = """
        SELECT \(SQLiteRows.discountCodeColumns(as: "c")), \(SQLiteRows.priceRuleColumns(as: "r"))
        FROM discount_codes c JOIN price_rules r ON r.project_id = c.project_id AND r.id = c.price_rule_id
        WHERE c.project_id = ?1 AND c.canonical_code = ?2
        """
    static let liveForOrderAndCode = """
        SELECT 1 FROM redemptions
        WHERE project_id = ?1 AND order_id = ?2 AND discount_code_id = ?3 AND rolled_back_at IS NULL
        """
    static let liveForCustomer = """
        SELECT 1 FROM redemptions
        WHERE project_id = ?1 AND price_rule_id = ?2 AND customer_id = ?3 AND rolled_back_at IS NULL LIMIT 1
        """
    /// Inserts nothing when the order already holds a live use of the code
    /// (`redemptions_live_by_order` is unique), so a redemption searches that
    /// index once, instead of once to look and again to insert.
    static let insertUnlessLive = """
        INSERT OR IGNORE INTO redemptions (project_id, order_id, discount_code_id, price_rule_id, customer_id, created_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6)
        """
    static let rollBackOrder = """
        UPDATE redemptions SET rolled_back_at = ?3
        WHERE project_id = ?1 AND order_id = ?2 AND rolled_back_at IS NULL
        RETURNING discount_code_id, price_rule_id
        """
    static let releaseCodeUse = """
        UPDATE discount_codes SET usage_count = max(usage_count - 1, 0), version = version + 1
        WHERE project_id = ?1 AND id = ?2
        """
    static let releaseRuleUse = """
        UPDATE price_rules SET usage_count = max(usage_count - 1, 0), version = version + 1
        WHERE project_id = ?1 AND id = ?2
        """
    static let codeByID = """
        SELECT \(SQLiteRows.discountCodeColumns) FROM discount_codes WHERE project_id = ?1 AND id = ?2
        """
}

extension SQLiteStore {
    /// One write job: look up, check, insert the use, count it. Refusals,
    /// repeats of an order and misses change nothing.
    /// The code's and rule's counts are written once per batch, and a code
    /// redeemed again before they are is not read again (`DeferredCounts`).
    public func redeem(_ request: RedemptionRequest, options: WriteOptions<RedemptionOutcome>) async throws -> RedemptionOutcome {
        try await write(defersCounts: true, options: options, Self.redemption(request))
    }

    private static func redemption(_ request: RedemptionRequest) -> @Sendable (SQLiteConnection) throws -> RedemptionOutcome {
        { db in
            guard
                let (stored, storedRule) = try db.deferredCounts.storedCodeAndRule(
                    projectID: request.projectID, canonicalCode: request.canonicalCode, read: { try codeAndRule(request, db) })
            else { return .codeNotFound }
            // With the uses this batch's earlier redemptions counted.
            let code = db.deferredCounts.counted(stored)
            let rule = db.deferredCounts.counted(storedRule)

            var customerAlreadyRedeemed = false
            if rule.oncePerCustomer, let customerID = request.customerID {
                customerAlreadyRedeemed = try hasLiveRedemption(
                    projectID: request.projectID, priceRuleID: rule.id, customerID: customerID, db
                )
            }
            if let refusal = RedemptionPolicy.refusal(
                code: code, rule: rule, customerAlreadyRedeemed: customerAlreadyRedeemed, at: request.at
            ) {
                // The same order again gets its answer back, even past the limit.
                let alreadyRedeemed = try db.withStatement(SQL.liveForOrderAndCode) { s in
                    try s.bindAll(request.projectID, request.orderID, code.id)
                    return try s.step()
                }
                return alreadyRedeemed ? .alreadyRedeemed(code, rule) : .refused(refusal, code, rule)
            }

            try db.withStatement(SQL.insertUnlessLive) { s in
                try s.bindAll(request.projectID, request.orderID, code.id, rule.id, request.customerID, request.at)
                try s.run()
            }
            guard db.changes == 1 else { return .alreadyRedeemed(code, rule) }
            db.deferredCounts.countUse(of: code, under: rule)

            var countedCode = code
            countedCode.usageCount += 1
            countedCode.version += 1
            var countedRule = rule
            countedRule.usageCount += 1
            countedRule.version += 1
            return .redeemed(countedCode, countedRule)
        }
    }

    public func customerHasRedeemed(projectID: String, priceRuleID: String, customerID: String) async throws -> Bool {
        try read { db in
            try Self.hasLiveRedemption(projectID: projectID, priceRuleID: priceRuleID, customerID: customerID, db)
        }
    }

    /// Stamps the order's live redemptions rolled back and gives each use back
    /// to its code and rule. A second call finds nothing live and releases nothing.
    public func rollbackRedemptions(
        projectID: String, orderID: String, at: Instant, options: WriteOptions<[DiscountCode]>
    ) async throws -> [DiscountCode] {
        try await write(options: options) { db in
            let released: [(codeID: String, ruleID: String)] = try db.withStatement(SQL.rollBackOrder) { s in
                try s.bindAll(projectID, orderID, at)
                var rows: [(String, String)] = []
                while try s.step() { rows.append((s.string(0), s.string(1))) }
                return rows
            }
            var codes: [DiscountCode] = []
            for use in released {
                try Self.update(SQL.releaseCodeUse, projectID, use.codeID, db)
                try Self.update(SQL.releaseRuleUse, projectID, use.ruleID, db)
            }
            for use in released {
                // A code deleted since it was redeemed has nothing to give back to.
                let code = try db.withStatement(SQL.codeByID) { s in
                    try s.bindAll(projectID, use.codeID)
                    return try s.step() ? SQLiteRows.discountCode(s) : nil
                }
                if let code { codes.append(code) }
            }
            return codes
        }
    }

    // MARK: Pieces

    private static func codeAndRule(_ request: RedemptionRequest, _ db: SQLiteConnection) throws -> (DiscountCode, PriceRule)? {
        try db.withStatement(SQL.codeAndRule) { s in
            try s.bindAll(request.projectID, request.canonicalCode)
            guard try s.step() else { return nil }
            return (
                SQLiteRows.discountCode(s),
                SQLiteRows.priceRule(s, from: SQLiteRows.discountCodeColumnCount)
            )
        }
    }

    private static func hasLiveRedemption(
        projectID: String, priceRuleID: String, customerID: String, _ db: SQLiteConnection
    ) throws -> Bool {
        try db.withStatement(SQL.liveForCustomer) { s in
            try s.bindAll(projectID, priceRuleID, customerID)
            return try s.step()
        }
    }

    private static func update(_ sql: String, _ projectID: String, _ id: String, _ db: SQLiteConnection) throws {
        try db.withStatement(sql) { s in
            try s.bindAll(projectID, id)
            try s.run()
        }
    }
}
