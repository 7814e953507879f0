import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    /// Batched with the other redemptions queued meanwhile (`redeemBatch`).
    public func redeem(_ request: RedemptionRequest, options: WriteOptions<RedemptionOutcome>) async throws -> RedemptionOutcome {
        try await batchers.redemptions.submit(Batched(request, options), deadline: options.deadline)
    }

    /// RedeemDiscountCode for a batch of calls: one call of `discountd_redeem`
    /// (PostgresSchema+Redemption), which decides and counts each in call
    /// order inside one transaction. (See `writeBatch` for idempotency keys
    /// and for a batch that fails as a whole, a deadlock with another writer.)
    func redeemBatch(
        _ calls: [Batched<RedemptionRequest, RedemptionOutcome>]
    ) async throws -> [Result<RedemptionOutcome, any Error>] {
        await writeBatch(calls) { run, requests in try await Self.redeemStatement(requests, run).map { .success($0) } }
    }

    private static func redeemStatement(
        _ requests: [RedemptionRequest], _ run: StatementRunner
    ) async throws -> [RedemptionOutcome] {
        let projects = requests.map(\.projectID)
        let codes = requests.map(\.canonicalCode)
        let orders = requests.map(\.orderID)
        let customers = NullableArray(requests.map(\.customerID))
        let instants = requests.map(\.at)
        let answers = try await run(
            """
            SELECT r.outcome, \(unescaped: PostgresRows.qualified(PostgresRows.discountCodeColumns, "(r.code)")),
                \(unescaped: PostgresRows.qualified(PostgresRows.priceRuleColumns, "(r.rule)"))
            FROM discountd_redeem(\(projects), \(codes), \(orders), \(customers), \(instants)) r
            ORDER BY r.ord
            """)
        guard answers.count == requests.count else {
            throw StoreError.failure("redemption answered \(answers.count) of \(requests.count)")
        }
        return try answers.map { row in
            var r = row.reader()
            let outcome: String = try r.next()
            if outcome == "not_found" { return .codeNotFound }
            let code = try PostgresRows.discountCode(&r)
            let rule = try PostgresRows.priceRule(&r)
            switch outcome {
            case "redeemed": return .redeemed(code, rule)
            case "already_redeemed": return .alreadyRedeemed(code, rule)
            default:
                guard let refusal = RedemptionRefusal(rawValue: outcome) else {
                    throw StoreError.failure("unknown redemption outcome \(outcome)")
                }
                return .refused(refusal, code, rule)
            }
        }
    }

    public func customerHasRedeemed(projectID: String, priceRuleID: String, customerID: String) async throws -> Bool {
        try await rows(
            """
            SELECT EXISTS (
                SELECT 1 FROM redemptions
                WHERE project_id = \(projectID) AND price_rule_id = \(priceRuleID) AND customer_id = \(customerID)
                    AND rolled_back_at IS NULL)
            """
        ).first?.decode(Bool.self) ?? false
    }

    /// Stamps the order's live redemptions rolled back and gives each use back
    /// to its code and rule. Rules, then codes, are locked first, in the order
    /// a redemption batch locks them. A second call finds nothing live.
    public func rollbackRedemptions(
        projectID: String, orderID: String, at: Instant, options: WriteOptions<[DiscountCode]>
    ) async throws -> [DiscountCode] {
        try await write(options: options) { transaction in
            try await transaction.rows(
                """
                SELECT 1 FROM price_rules
                WHERE project_id = \(projectID) AND id IN (
                    SELECT price_rule_id FROM redemptions
                    WHERE project_id = \(projectID) AND order_id = \(orderID) AND rolled_back_at IS NULL)
                ORDER BY project_id, id FOR UPDATE
                """)
            try await transaction.rows(
                """
                SELECT 1 FROM discount_codes
                WHERE project_id = \(projectID) AND id IN (
                    SELECT discount_code_id FROM redemptions
                    WHERE project_id = \(projectID) AND order_id = \(orderID) AND rolled_back_at IS NULL)
                ORDER BY project_id, id FOR UPDATE
                """)
            let released = try await transaction.rows(
                """
                UPDATE redemptions SET rolled_back_at = \(at)
                WHERE project_id = \(projectID) AND order_id = \(orderID) AND rolled_back_at IS NULL
                RETURNING discount_code_id, price_rule_id
                """
            ).map { try $0.decode((String, String).self) }
            guard !released.isEmpty else { return [] }
            let codeIDs = released.map(\.0)
            let ruleIDs = released.map(\.1)
            // A code deleted since it was redeemed has nothing to give back to.
            let codes = try await transaction.rows(
                """
                UPDATE discount_codes SET usage_count = greatest(usage_count - 1, 0), version = version + 1
                WHERE project_id = \(projectID) AND id = ANY(\(codeIDs))
                RETURNING \(unescaped: PostgresRows.discountCodeColumns)
                """
            ).map { try $0.read(PostgresRows.discountCode) }
            let rules = try await transaction.rows(
                """
                UPDATE price_rules p SET usage_count = greatest(p.usage_count - u.uses, 0), version = p.version + u.uses
                FROM (SELECT id, count(*) AS uses FROM unnest(\(ruleIDs)) AS id GROUP BY id) u
                WHERE p.project_id = \(projectID) AND p.id = u.id
                RETURNING p.id, p.version
                """
            ).map { try $0.decode((String, Int64).self) }
            for code in codes {
                transaction.changed(.discountCode, projectID, code.id, key: code.canonicalCode, version: code.version)
            }
            for (id, version) in rules { transaction.changed(.priceRule, projectID, id, version: version) }
            return codes
        }
    }
}
