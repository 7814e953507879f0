import DiscountCore

/// Counters the open transaction's hot writes changed and have not yet
/// written to their rows: a redemption's use of its code and its rule, an
/// assignment's code taken from its pool. One UPDATE per row for a whole
/// batch, where each write used to rewrite the row (a code on sale, redeemed
/// 64 times in a batch, rewrote its row and its rule's 64 times each).
///
/// Usage limits stay exact decisions:
/// - a redemption reads its code and rule with the uses pending here added
///   (`counted(_:)`); an assignment decides on the code rows alone;
/// - the writer writes the counts out before any job that does not defer
///   its own (an edit, a rollback of an order, anything else that may read
///   them) and before COMMIT;
/// - a job rolled back to its savepoint takes its counts back out, and a new
///   transaction starts with none.
///
/// Between two writes of the counts no job changes a code's or a rule's row
/// (only jobs that defer their counts run, and they insert uses), so a code
/// redeemed again in that stretch is not read again: its row and its rule's,
/// as first read, are kept here with the counts (`storedCodeAndRule`). A code
/// on sale is then read once per batch, not once per order.
///
/// Writer thread only.
final class DeferredCounts {
    struct Row: Hashable {
        let projectID: String
        let id: String
    }

    private struct CodeKey: Hashable {
        let projectID: String
        let canonicalCode: String
    }

    private enum Counted {
        case use(code: Row, rule: Row)
        case assignment(poolKey: Int64)
    }

    private var codeUses: [Row: Int64] = [:]
    private var ruleUses: [Row: Int64] = [:]
    private var poolAssignments: [Int64: Int64] = [:]
    /// Rows as stored, without the counts above: valid until those are written.
    private var codesAndRules: [CodeKey: (code: DiscountCode, rule: PriceRule)] = [:]
    /// What the running job counted, to take back if it is rolled back.
    private var countedByJob: [Counted] = []

    var isEmpty: Bool { codeUses.isEmpty && ruleUses.isEmpty && poolAssignments.isEmpty }

    /// The code `canonicalCode` and its rule as stored (before the counts
    /// pending here): `read` reads them the first time since the counts were
    /// last written. A code not found is read again next time.
    func storedCodeAndRule(
        projectID: String, canonicalCode: String, read: () throws -> (DiscountCode, PriceRule)?
    ) rethrows -> (DiscountCode, PriceRule)? {
        let key = CodeKey(projectID: projectID, canonicalCode: canonicalCode)
        if let known = codesAndRules[key] { return known }
        guard let (code, rule) = try read() else { return nil }
        codesAndRules[key] = (code, rule)
        return (code, rule)
    }

    /// `code` as it stands with the uses pending here.
    func counted(_ code: DiscountCode) -> DiscountCode {
        Self.adding(codeUses[Row(projectID: code.projectID, id: code.id)], to: code, \.usageCount, \.version)
    }

    /// `rule` as it stands with the uses pending here.
    func counted(_ rule: PriceRule) -> PriceRule {
        Self.adding(ruleUses[Row(projectID: rule.projectID, id: rule.id)], to: rule, \.usageCount, \.version)
    }

    /// One more use of `code` and of its `rule`.
    func countUse(of code: DiscountCode, under rule: PriceRule) {
        let codeRow = Row(projectID: code.projectID, id: code.id)
        let ruleRow = Row(projectID: rule.projectID, id: rule.id)
        codeUses[codeRow, default: 0] += 1
        ruleUses[ruleRow, default: 0] += 1
        countedByJob.append(.use(code: codeRow, rule: ruleRow))
    }

    /// One more code of the pool assigned (one fewer available).
    func countAssignment(inPool poolKey: Int64) {
        poolAssignments[poolKey, default: 0] += 1
        countedByJob.append(.assignment(poolKey: poolKey))
    }

    /// Writes every pending count to its row, inside the open transaction;
    /// the rows kept are then out of date, and forgotten.
    func write(on db: SQLiteConnection) throws {
        for (row, uses) in codeUses { try Self.run(SQL.countCodeUses, row.projectID, row.id, uses, db) }
        for (row, uses) in ruleUses { try Self.run(SQL.countRuleUses, row.projectID, row.id, uses, db) }
        for (poolKey, codes) in poolAssignments {
            try db.withStatement(SQL.countAssigned) { s in
                try s.bindAll(poolKey, codes)
                try s.run()
            }
        }
        forgetAll()
    }

    /// A job is about to run: what it counts is its own until the next.
    func jobStarting() {
        countedByJob.removeAll(keepingCapacity: true)
    }

    /// The running job was rolled back to its savepoint: its counts never happened.
    func jobRolledBack() {
        for counted in countedByJob {
            switch counted {
            case .use(let code, let rule):
                Self.takeBack(code, from: &codeUses)
                Self.takeBack(rule, from: &ruleUses)
            case .assignment(let poolKey):
                Self.takeBack(poolKey, from: &poolAssignments)
            }
        }
        countedByJob.removeAll(keepingCapacity: true)
    }

    /// A transaction began: whatever an earlier one left unwritten was rolled back with it.
    func transactionBegan() {
        forgetAll()
    }

    private func forgetAll() {
        codeUses.removeAll(keepingCapacity: true)
        ruleUses.removeAll(keepingCapacity: true)
        poolAssignments.removeAll(keepingCapacity: true)
        codesAndRules.removeAll(keepingCapacity: true)
        countedByJob.removeAll(keepingCapacity: true)
    }

    /// Every use bumps the row's version too, as the UPDATE does.
    private static func adding<Record>(
        _ uses: Int64?, to record: Record, _ usageCount: WritableKeyPath<Record, Int64>,
        _ version: WritableKeyPath<Record, Int64>
    ) -> Record {
        guard let uses else { return record }
        var record = record
        record[keyPath: usageCount] += uses
        record[keyPath: version] += uses
        return record
    }

    private static func takeBack<Key: Hashable>(_ key: Key, from counts: inout [Key: Int64]) {
        guard let count = counts[key] else { return }
        counts[key] = count > 1 ? count - 1 : nil
    }

    private static func run(_ sql: String, _ projectID: String, _ id: String, _ count: Int64, _ db: SQLiteConnection) throws {
        try db.withStatement(sql) { s in
            try s.bindAll(projectID, id, count)
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
        static let countAssigned = """
            UPDATE voucher_pools SET available = available - ?2, assigned = assigned + ?2 WHERE pool_key = ?1
            """
    }
}
