import DiscountCore
import DiscountStore
import PostgresNIO

/// The columns of `discount_codes` as parallel arrays: one parameter per
/// column, whatever the number of rows (`unnest` turns them back into rows).
struct DiscountCodeArrays {
    var projects: [String] = []
    var ids: [String] = []
    var rules: [String] = []
    var texts: [String] = []
    var keys: [String] = []
    var useWithOther: [Bool] = []
    var limits: [Int64?] = []
    var counts: [Int64] = []
    var created: [Instant] = []
    var updated: [Instant] = []
    var versions: [Int64] = []

    init<C: Collection>(_ codes: C) where C.Element == DiscountCode {
        for code in codes {
            projects.append(code.projectID)
            ids.append(code.id)
            rules.append(code.priceRuleID)
            texts.append(code.code)
            keys.append(code.canonicalCode)
            useWithOther.append(code.useWithOther)
            limits.append(code.usageLimit)
            counts.append(code.usageCount)
            created.append(code.createdAt)
            updated.append(code.updatedAt)
            versions.append(code.version)
        }
    }

    /// The arrays as $1…$11.
    var binds: PostgresBindings {
        var binds = PostgresBindings(capacity: 11)
        binds.append(projects)
        binds.append(ids)
        binds.append(rules)
        binds.append(texts)
        binds.append(keys)
        binds.append(useWithOther)
        binds.append(NullableArray(limits))
        binds.append(counts)
        binds.append(created)
        binds.append(updated)
        binds.append(versions)
        return binds
    }

    /// `i (project_id, …, version, ord)`: the rows of `binds`, numbered in call order.
    static let rows = """
        unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::bigint[], $8::bigint[],
            $9::timestamptz[], $10::timestamptz[], $11::bigint[]) WITH ORDINALITY
            AS i (project_id, id, price_rule_id, code, canonical_code, use_with_other, usage_limit, usage_count,
                created_at, updated_at, version, ord)
        """
}

extension PostgresStore {
    /// CreateDiscountCode for a batch of calls: one statement inserts every
    /// code whose rule exists and whose key (and id) is free, logs them, and
    /// says of each call whether it went in and, if not, why. Of two calls
    /// with one key, the earlier wins. (See `writeBatch` for idempotency keys
    /// and for a statement that fails as a whole.)
    func insertCodes(_ calls: [Batched<DiscountCode, Void>]) async throws -> [Result<Void, any Error>] {
        // Calls repeating an id (the same call twice) wait for a later round:
        // the answer is matched back by id.
        var rounds: [[Int]] = []
        var roundOf: [String: Int] = [:]
        for (index, call) in calls.enumerated() {
            let key = call.input.projectID + "\u{0}" + call.input.id
            let round = roundOf[key].map { $0 + 1 } ?? 0
            roundOf[key] = round
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(index)
        }
        var results = [Result<Void, any Error>](repeating: .success(()), count: calls.count)
        for round in rounds {
            let answers = await writeBatch(round.map { calls[$0] }, failure: { Self.codeWriteError($1, $0) }) { run, codes in
                try await Self.insertCodeStatement(codes, run)
            }
            for (index, answer) in zip(round, answers) { results[index] = answer }
        }
        return results
    }

    private static func insertCodeStatement(
        _ codes: [DiscountCode], _ run: StatementRunner
    ) async throws -> [Result<Void, any Error>] {
        let query = PostgresQuery(
            unsafeSQL: """
                WITH input AS (SELECT * FROM \(DiscountCodeArrays.rows)),
                inserted AS (
                    INSERT INTO discount_codes (\(PostgresRows.discountCodeColumns))
                    SELECT \(PostgresRows.discountCodeColumns) FROM input i
                    WHERE EXISTS (SELECT 1 FROM price_rules r WHERE r.project_id = i.project_id AND r.id = i.price_rule_id)
                    ORDER BY i.ord
                    ON CONFLICT DO NOTHING
                    RETURNING project_id, id, canonical_code, version
                ),
                logged AS (
                    INSERT INTO change_log (kind, project_id, entity_id, entity_key, version)
                    SELECT 'discount_code', project_id, id, canonical_code, version FROM inserted
                )
                SELECT n.id IS NOT NULL,
                    EXISTS (SELECT 1 FROM price_rules r WHERE r.project_id = i.project_id AND r.id = i.price_rule_id),
                    EXISTS (SELECT 1 FROM discount_codes d WHERE d.project_id = i.project_id AND d.id = i.id)
                FROM input i LEFT JOIN inserted n ON n.project_id = i.project_id AND n.id = i.id
                ORDER BY i.ord
                """, binds: DiscountCodeArrays(codes).binds)
        let answers = try await run(query)
        guard answers.count == codes.count else {
            throw StoreError.failure("code insert answered \(answers.count) of \(codes.count)")
        }
        return try zip(codes, answers).map { code, row in
            let (inserted, ruleExists, idTaken) = try row.decode((Bool, Bool, Bool).self)
            if inserted { return .success(()) }
            if !ruleExists {
                return .failure(StoreError.failure("price rule \(code.priceRuleID) does not exist in project \(code.projectID)"))
            }
            // Not inserted with the rule there: the id was taken before this
            // statement began, else the key was (before, meanwhile, or by an
            // earlier call of the batch).
            return .failure(idTaken ? StoreError.conflict("discount code \(code.id)") : StoreError.codeTaken(code.code))
        }
    }
}
