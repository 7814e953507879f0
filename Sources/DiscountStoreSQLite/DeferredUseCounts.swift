import DiscountCore

/// Uses that the open transaction's redemptions counted and have not yet
/// written to their code's and rule's rows: one UPDATE per code and per rule
/// for a whole batch, where each redemption used to rewrite both rows (a code
/// on sale, redeemed 64 times in a batch, rewrote its row and its rule's 64
/// times each).
///
/// Usage limits stay exact decisions:
/// - a redemption reads its code and rule with the uses pending here added
///   (`counted(_:)`);
/// - the writer writes them out before any job that does not defer its
///   counts (an edit, a rollback of an order, anything else that may read
///   them) and before COMMIT;
/// - a job rolled back to its savepoint takes its own uses back out, and a
///   new transaction starts with none.
///
/// Writer thread only.
final class DeferredUseCounts {
    struct Row: Hashable {
        let projectID: String
        let id: String
    }

    private var codes: [Row: Int64] = [:]
    private var rules: [Row: Int64] = [:]
    /// The uses the running job counted, to take back if it is rolled back.
    private var countedByJob: [(code: Row, rule: Row)] = []

    var isEmpty: Bool { codes.isEmpty && rules.isEmpty }

    /// `code` as it stands with the uses pending here.
    func counted(_ code: DiscountCode) -> DiscountCode {
        guard let uses = codes[Row(projectID: code.projectID, id: code.id)] else { return code }
        var code = code
        code.usageCount += uses
        code.version += uses
        return code
    }

    /// `rule` as it stands with the uses pending here.
    func counted(_ rule: PriceRule) -> PriceRule {
        guard let uses = rules[Row(projectID: rule.projectID, id: rule.id)] else { return rule }
        var rule = rule
        rule.usageCount += uses
        rule.version += uses
        return rule
    }

    /// One more use of `code` and of its `rule`, written by `write(on:)`.
    func countUse(of code: DiscountCode, under rule: PriceRule) {
        let codeRow = Row(projectID: code.projectID, id: code.id)
        let ruleRow = Row(projectID: rule.projectID, id: rule.id)
        codes[codeRow, default: 0] += 1
        rules[ruleRow, default: 0] += 1
        countedByJob.append((codeRow, ruleRow))
    }

    /// Writes every pending use to its row, inside the open transaction.
    func write(on db: SQLiteConnection) throws {
        for (row, uses) in codes { try Self.add(uses, to: row, SQL.countCodeUses, db) }
        for (row, uses) in rules { try Self.add(uses, to: row, SQL.countRuleUses, db) }
        codes.removeAll(keepingCapacity: true)
        rules.removeAll(keepingCapacity: true)
    }

    /// A job is about to run: what it counts is its own until the next.
    func jobStarting() {
        countedByJob.removeAll(keepingCapacity: true)
    }

    /// The running job was rolled back to its savepoint: its uses never happened.
    func jobRolledBack() {
        for use in countedByJob {
            Self.takeBack(use.code, from: &codes)
            Self.takeBack(use.rule, from: &rules)
        }
        countedByJob.removeAll(keepingCapacity: true)
    }

    /// A transaction began: whatever an earlier one left unwritten was rolled back with it.
    func transactionBegan() {
        codes.removeAll(keepingCapacity: true)
        rules.removeAll(keepingCapacity: true)
        countedByJob.removeAll(keepingCapacity: true)
    }

    private static func takeBack(_ row: Row, from counts: inout [Row: Int64]) {
        guard let uses = counts[row] else { return }
        counts[row] = uses > 1 ? uses - 1 : nil
    }

    private static func add(_ uses: Int64, to row: Row, _ sql: String, _ db: SQLiteConnection) throws {
        try db.withStatement(sql) { s in
            try s.bindAll(row.projectID, row.id, uses)
            try s.run()
        }
    }

    private enum SQL {
        static let countCodeUses = """
            UPDATE discount_codes SET usage_count = usage_count + ?3, version = version + ?3
            WHERE project_id = ?1 AND id = ?2
            """
        static let countRuleUses = """
            UPDATE price_rules SET usage_count = usage_count + ?3, version = version + ?3
            WHERE project_id = ?1 AND id = ?2
            """
    }
}
