import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    /// Batched with the other assignments queued meanwhile (`assignBatch`).
    public func assignVoucherCode(
        _ assignment: VoucherAssignment, options: WriteOptions<VoucherAssignmentOutcome>
    ) async throws -> VoucherAssignmentOutcome {
        try await batchers.assignments.submit(Batched(assignment, options), deadline: options.deadline)
    }

    /// AssignVoucherCode for a batch of calls, in one statement:
    /// - a customer who holds a code of the pool for the `used_by` gets it
    ///   back (and so does a repeat of an earlier call in the batch);
    /// - the others of each pool, n of them, claim the pool's n lowest
    ///   available codes in a MATERIALIZED CTE with `FOR UPDATE SKIP LOCKED
    ///   LIMIT n`: evaluated once, it locks at most n rows, and codes another
    ///   writer holds are passed over, not waited for (the `IN (SELECT …)`
    ///   form may be re-run by the planner and claim more than n);
    /// - the claimed codes are paired with the calls in call order, the pool's
    ///   counts move by what was taken, and each changed pool is logged.
    /// Another daemon giving the same customer a code at the same moment makes
    /// the unique index refuse the second statement as a whole; its calls then
    /// run one by one, and find the held code (`writeBatch`).
    func assignBatch(
        _ calls: [Batched<VoucherAssignment, VoucherAssignmentOutcome>]
    ) async throws -> [Result<VoucherAssignmentOutcome, any Error>] {
        await writeBatch(calls) { run, assignments in try await Self.assignStatement(assignments, run).map { .success($0) } }
    }

    private static func assignStatement(
        _ assignments: [VoucherAssignment], _ run: StatementRunner
    ) async throws -> [VoucherAssignmentOutcome] {
        let projects = assignments.map(\.projectID)
        let pools = assignments.map(\.poolID)
        let customers = assignments.map(\.customerID)
        let usedBy = assignments.map(\.usedBy)
        let instants = assignments.map(\.at)
        let code = "code, status, seq, customer_id, used_by, assigned_at, redeemed_at"
        let answers = try await run(
            """
            WITH calls AS MATERIALIZED (
                SELECT c.ord, p.pool_key, p.project_id, c.customer_id, c.used_by, c.at
                FROM unnest(\(projects)::text[], \(pools)::text[], \(customers)::text[], \(usedBy)::text[],
                    \(instants)::timestamptz[]) WITH ORDINALITY AS c (project_id, pool_id, customer_id, used_by, at, ord)
                LEFT JOIN voucher_pools p ON p.project_id = c.project_id AND p.id = c.pool_id
            ),
            held AS MATERIALIZED (
                SELECT c.ord, \(unescaped: PostgresRows.qualified(code, "v"))
                FROM calls c JOIN voucher_codes v
                    ON v.pool_key = c.pool_key AND v.customer_id = c.customer_id AND v.used_by = c.used_by
            ),
            wanting AS MATERIALIZED (
                SELECT c.*, row_number() OVER (PARTITION BY c.pool_key ORDER BY c.ord) AS n
                FROM calls c
                WHERE c.pool_key IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM held h WHERE h.ord = c.ord)
                    AND NOT EXISTS (
                        SELECT 1 FROM calls e
                        WHERE e.pool_key = c.pool_key AND e.customer_id = c.customer_id AND e.used_by = c.used_by
                            AND e.ord < c.ord)
            ),
            claimed AS MATERIALIZED (
                SELECT free.pool_key, free.seq, row_number() OVER (PARTITION BY free.pool_key ORDER BY free.seq) AS n
                FROM (SELECT pool_key, count(*) AS wanted FROM wanting GROUP BY pool_key) w
                CROSS JOIN LATERAL (
                    SELECT v.pool_key, v.seq FROM voucher_codes v
                    WHERE v.pool_key = w.pool_key AND v.status = 1
                    ORDER BY v.seq
                    LIMIT w.wanted
                    FOR UPDATE SKIP LOCKED
                ) free
            ),
            taken AS (
                UPDATE voucher_codes v
                SET status = 2, customer_id = w.customer_id, used_by = w.used_by, assigned_at = w.at
                FROM claimed k JOIN wanting w ON w.pool_key = k.pool_key AND w.n = k.n
                WHERE v.pool_key = k.pool_key AND v.seq = k.seq
                RETURNING w.ord, v.pool_key, \(unescaped: PostgresRows.qualified(code, "v"))
            ),
            counted AS (
                UPDATE voucher_pools p
                SET available = p.available - t.n, assigned = p.assigned + t.n, version = p.version + 1
                FROM (SELECT pool_key, count(*) AS n FROM taken GROUP BY pool_key) t
                WHERE p.pool_key = t.pool_key
                RETURNING p.project_id, p.id, p.version
            ),
            noted AS (
                INSERT INTO voucher_pool_used_by (pool_key, used_by)
                SELECT DISTINCT pool_key, used_by FROM taken WHERE used_by <> ''
                ON CONFLICT DO NOTHING
            ),
            logged AS (
                INSERT INTO change_log (kind, project_id, entity_id, version)
                SELECT 'voucher_pool', project_id, id, version FROM counted
            )
            SELECT
                CASE WHEN c.pool_key IS NULL THEN 'pool_not_found'
                    WHEN t.ord IS NOT NULL THEN 'assigned'
                    WHEN h.ord IS NOT NULL OR s.ord IS NOT NULL THEN 'already_assigned'
                    ELSE 'exhausted' END,
                coalesce(t.code, h.code, s.code), coalesce(t.status, h.status, s.status), coalesce(t.seq, h.seq, s.seq),
                coalesce(t.customer_id, h.customer_id, s.customer_id), coalesce(t.used_by, h.used_by, s.used_by),
                coalesce(t.assigned_at, h.assigned_at, s.assigned_at), coalesce(t.redeemed_at, h.redeemed_at, s.redeemed_at)
            FROM calls c
            LEFT JOIN taken t ON t.ord = c.ord
            LEFT JOIN held h ON h.ord = c.ord
            LEFT JOIN LATERAL (
                SELECT f.* FROM taken f JOIN calls e ON e.ord = f.ord
                WHERE e.pool_key = c.pool_key AND e.customer_id = c.customer_id AND e.used_by = c.used_by AND e.ord < c.ord
            ) s ON t.ord IS NULL AND h.ord IS NULL
            ORDER BY c.ord
            """)
        guard answers.count == assignments.count else {
            throw StoreError.failure("assignment answered \(answers.count) of \(assignments.count)")
        }
        return try answers.map { row in
            var r = row.reader()
            let outcome: String = try r.next()
            switch outcome {
            case "pool_not_found": return .poolNotFound
            case "exhausted": return .poolExhausted
            case "assigned": return .assigned(try PostgresRows.voucherCode(&r))
            default: return .alreadyAssigned(try PostgresRows.voucherCode(&r))
            }
        }
    }

    /// assigned → redeemed; the code row, then the pool's, as assignments lock them.
    public func redeemVoucherCode(
        projectID: String, canonicalCode: String, at: Instant, options: WriteOptions<VoucherRedemptionOutcome>
    ) async throws -> VoucherRedemptionOutcome {
        try await write(options: options) { transaction in
            if let row = try await transaction.rows(
                """
                UPDATE voucher_codes SET status = 3, redeemed_at = \(at)
                WHERE project_id = \(projectID) AND canonical_code = \(canonicalCode) AND status = 2
                RETURNING pool_key, \(unescaped: PostgresRows.voucherCodeColumns)
                """
            ).first {
                var r = row.reader()
                let key: Int64 = try r.next()
                let code = try PostgresRows.voucherCode(&r)
                if let (poolID, version) = try await transaction.rows(
                    """
                    UPDATE voucher_pools SET assigned = assigned - 1, redeemed = redeemed + 1, version = version + 1
                    WHERE pool_key = \(key) RETURNING id, version
                    """
                ).first.map({ try $0.decode((String, Int64).self) }) {
                    transaction.changed(.voucherPool, projectID, poolID, version: version)
                }
                return .redeemed(code)
            }
            let existing = try await transaction.rows(
                """
                SELECT \(unescaped: PostgresRows.voucherCodeColumns) FROM voucher_codes
                WHERE project_id = \(projectID) AND canonical_code = \(canonicalCode)
                """
            ).first.map { try $0.read(PostgresRows.voucherCode) }
            guard let existing else { return .codeNotFound }
            return existing.status == .available ? .notAssigned(existing) : .alreadyRedeemed(existing)
        }
    }
}
