import DiscountCore
import DiscountStore

private enum SQL {
    static let poolKey = "SELECT pool_key FROM voucher_pools WHERE project_id = ?1 AND id = ?2"
    static let heldByCustomer = """
        SELECT \(SQLiteRows.voucherCodeColumns) FROM voucher_codes
        WHERE pool_key = ?1 AND customer_id = ?2 AND used_by = ?3
        """
    /// The pool's lowest-numbered available codes (`VoucherReadAhead`). The
    /// writer thread runs one job at a time, so nobody else takes them.
    static let nextAvailable = """
        SELECT pool_key, seq, code FROM voucher_codes INDEXED BY voucher_codes_by_status
        WHERE pool_key = (SELECT pool_key FROM voucher_pools WHERE project_id = ?1 AND id = ?2) AND status = 1
        ORDER BY seq LIMIT ?3
        """
    /// Marks one code assigned by its primary key, if it is still available
    /// (a code read ahead may have gone with its pool): a one-row UPDATE needs
    /// no statement journal (UPDATE … RETURNING would build an ephemeral table
    /// and a savepoint per call). A customer who already holds a code of the
    /// pool for this used_by trips the unique index instead.
    static let take = """
        UPDATE voucher_codes SET status = 2, customer_id = ?3, used_by = ?4, assigned_at = ?5
        WHERE pool_key = ?1 AND seq = ?2 AND status = 1
        """
    static let noteUsedBy = "INSERT OR IGNORE INTO voucher_pool_used_by (pool_key, used_by) VALUES (?1, ?2)"
    static let redeem = """
        UPDATE voucher_codes SET status = 3, redeemed_at = ?3
        WHERE project_id = ?1 AND canonical_code = ?2 AND status = 2
        RETURNING pool_key, \(SQLiteRows.voucherCodeColumns)
        """
    static let countRedeemed = "UPDATE voucher_pools SET assigned = assigned - 1, redeemed = redeemed + 1 WHERE pool_key = ?1"
    static let byCode = """
        SELECT \(SQLiteRows.voucherCodeColumns) FROM voucher_codes WHERE project_id = ?1 AND canonical_code = ?2
        """
}

extension SQLiteStore {
    /// The common case (a new customer, codes left) is a lookup and one UPDATE;
    /// the rest is only looked at when that takes nothing. The pool's counters
    /// are written once per batch (`DeferredCounts`): no decision reads them.
    public func assignVoucherCode(
        _ assignment: VoucherAssignment, options: WriteOptions<VoucherAssignmentOutcome>
    ) async throws -> VoucherAssignmentOutcome {
        try await write(defersCounts: true, options: options, Self.assignment(assignment))
    }

    static func assignment(
        _ assignment: VoucherAssignment
    ) -> @Sendable (SQLiteConnection) throws -> VoucherAssignmentOutcome {
        { db in
            let pool = VoucherReadAhead.Pool(projectID: assignment.projectID, poolID: assignment.poolID)
            while let next = try db.voucherReadAhead.next(in: pool, read: { try Self.available(pool, limit: $0, db) }) {
                do {
                    try db.withStatement(SQL.take) { s in
                        try s.bindAll(next.key, next.sequence, assignment.customerID, assignment.usedBy, assignment.at)
                        try s.run()
                    }
                } catch let error as SQLiteError where error.isUniqueViolation {
                    // Only the statement was undone; the customer's code is what they get.
                    db.voucherReadAhead.putBack(next, in: pool)
                    return try untaken(assignment, db)
                }
                guard db.changes == 1 else {
                    // Read ahead and no longer available: read the pool again.
                    db.voucherReadAhead.forget(pool)
                    continue
                }
                db.deferredCounts.countAssignment(inPool: next.key)
                if !assignment.usedBy.isEmpty {
                    try db.withStatement(SQL.noteUsedBy) { s in
                        try s.bindAll(next.key, assignment.usedBy)
                        try s.run()
                    }
                }
                return .assigned(
                    VoucherCode(
                        code: next.code, status: .assigned, sequence: next.sequence, customerID: assignment.customerID,
                        usedBy: assignment.usedBy.isEmpty ? nil : assignment.usedBy, assignedAt: assignment.at))
            }
            return try untaken(assignment, db)
        }
    }

    private static func available(
        _ pool: VoucherReadAhead.Pool, limit: Int, _ db: SQLiteConnection
    ) throws -> [VoucherReadAhead.Candidate] {
        try db.withStatement(SQL.nextAvailable) { s in
            try s.bindAll(pool.projectID, pool.poolID, Int64(limit))
            var run: [VoucherReadAhead.Candidate] = []
            while try s.step() { run.append(.init(key: s.int64(0), sequence: s.int64(1), code: s.string(2))) }
            return run
        }
    }

    /// Why nothing was taken: no such pool, a code the customer already holds, or none left.
    private static func untaken(_ assignment: VoucherAssignment, _ db: SQLiteConnection) throws -> VoucherAssignmentOutcome {
        let key: Int64? = try db.withStatement(SQL.poolKey) { s in
            try s.bindAll(assignment.projectID, assignment.poolID)
            return try s.step() ? s.int64(0) : nil
        }
        guard let key else { return .poolNotFound }
        let held: VoucherCode? = try db.withStatement(SQL.heldByCustomer) { s in
            try s.bindAll(key, assignment.customerID, assignment.usedBy)
            return try s.step() ? SQLiteRows.voucherCode(s) : nil
        }
        return held.map(VoucherAssignmentOutcome.alreadyAssigned) ?? .poolExhausted
    }

    public func redeemVoucherCode(
        projectID: String, canonicalCode: String, at: Instant, options: WriteOptions<VoucherRedemptionOutcome>
    ) async throws -> VoucherRedemptionOutcome {
        try await write(options: options) { db in
            let redeemed: (Int64, VoucherCode)? = try db.withStatement(SQL.redeem) { s in
                try s.bindAll(projectID, canonicalCode, at)
                guard try s.step() else { return nil }
                let row = (s.int64(0), SQLiteRows.voucherCode(s, from: 1))
                while try s.step() {}
                return row
            }
            if let (key, code) = redeemed {
                try db.withStatement(SQL.countRedeemed) { s in
                    try s.bind(1, key)
                    try s.run()
                }
                return .redeemed(code)
            }
            let existing: VoucherCode? = try db.withStatement(SQL.byCode) { s in
                try s.bindAll(projectID, canonicalCode)
                return try s.step() ? SQLiteRows.voucherCode(s) : nil
            }
            switch existing?.status {
            case nil: return .codeNotFound
            case .available?: return .notAssigned(existing!)
            case .assigned?, .redeemed?: return .alreadyRedeemed(existing!)
            }
        }
    }
}
