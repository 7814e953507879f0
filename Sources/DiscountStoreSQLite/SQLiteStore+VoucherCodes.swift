import DiscountCore
import DiscountStore

private enum SQL {
    /// Only the project-wide uniqueness of the code is resolved quietly.
    static let insert = """
        INSERT INTO voucher_codes (pool_key, seq, project_id, code, canonical_code, status)
        VALUES (?1, ?2, ?3, ?4, ?5, 1)
        ON CONFLICT (project_id, canonical_code) DO NOTHING
        """
    static let countAdded = """
        UPDATE voucher_pools SET total = total + ?2, available = available + ?2 WHERE pool_key = ?1
        """
    static let after = """
        SELECT \(SQLiteRows.voucherCodeColumns) FROM voucher_codes
        WHERE pool_key = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3
        """
    static let statusAfter = """
        SELECT \(SQLiteRows.voucherCodeColumns) FROM voucher_codes INDEXED BY voucher_codes_by_status
        WHERE pool_key = ?1 AND status = ?4 AND seq > ?2 ORDER BY seq LIMIT ?3
        """
    /// The offset is stepped over in the covering (pool, status, seq) index
    /// alone; only the page's own rows are read from the table.
    static let statusOffset = """
        SELECT \(SQLiteRows.voucherCodeColumns) FROM voucher_codes INDEXED BY voucher_codes_by_status
        WHERE pool_key = ?1 AND status = ?4 AND seq >= (
            SELECT seq FROM voucher_codes INDEXED BY voucher_codes_by_status
            WHERE pool_key = ?1 AND status = ?4 ORDER BY seq LIMIT 1 OFFSET ?2)
        ORDER BY seq LIMIT ?3
        """
    /// The numbers of one kind of code, in order: stepped over to reach a page of the other kind.
    static let statusSequences = """
        SELECT seq FROM voucher_codes INDEXED BY voucher_codes_by_status
        WHERE pool_key = ?1 AND status = ?2 ORDER BY seq
        """
    static let begin = "BEGIN"
    static let commit = "COMMIT"
}

extension SQLiteStore {
    public func addVoucherCodes(projectID: String, poolID: String, codes: [VoucherCodeText]) async throws -> VoucherAddResult? {
        try await write(weight: max(codes.count, 1)) { db in
            try Self.addVoucherCodes(projectID: projectID, poolID: poolID, codes: codes, db)
        }
    }

    public func addVoucherCodes(
        projectID: String, poolID: String, codes: [VoucherCodeText],
        checkpoint: @escaping @Sendable (VoucherAddResult) -> BulkCheckpoint
    ) async throws -> VoucherAddResult? {
        try await write(weight: max(codes.count, 1)) { db in
            guard let result = try Self.addVoucherCodes(projectID: projectID, poolID: poolID, codes: codes, db) else {
                return nil
            }
            try Self.saveBulkCheckpoint(checkpoint(result), db)
            return result
        }
    }

    private static func addVoucherCodes(
        projectID: String, poolID: String, codes: [VoucherCodeText], _ db: SQLiteConnection
    ) throws -> VoucherAddResult? {
        guard let (key, pool) = try Self.voucherPool(projectID: projectID, id: poolID, db) else { return nil }
        // Numbers are dense: the pool's next one is total + 1.
        var sequence = pool.total
        var result = VoucherAddResult()
        try db.withStatement(SQL.insert) { s in
            try s.bind(1, key)
            try s.bind(3, projectID)
            for code in codes {
                try s.bind(2, sequence + 1)
                try s.bind(4, code.code)
                try s.bind(5, code.canonical)
                try s.step()
                if s.changes > 0 {
                    sequence += 1
                    result.added += 1
                } else {
                    result.duplicates += 1
                }
                s.rewind()
            }
        }
        if result.added > 0 {
            try db.withStatement(SQL.countAdded) { s in
                try s.bindAll(key, result.added)
                try s.run()
            }
        }
        return result
    }

    public func voucherCodes(
        projectID: String, poolID: String, status: VoucherStatus?, skip: Int64, limit: Int
    ) async throws -> (pool: VoucherPool, codes: [VoucherCode])? {
        try read { db in
            // One snapshot: the counts and the page agree.
            try db.withStatement(SQL.begin) { try $0.run() }
            defer { try? db.withStatement(SQL.commit) { try $0.run() } }
            guard let (key, pool) = try Self.voucherPool(projectID: projectID, id: poolID, db) else { return nil }
            let plan = VoucherPaging.plan(skip: skip, status: status, pool: pool)
            return (pool, try Self.page(key: key, plan: plan, limit: limit, db))
        }
    }

    public func voucherCodes(
        projectID: String, poolID: String, status: VoucherStatus?, afterSequence: Int64, limit: Int
    ) async throws -> [VoucherCode]? {
        try read { db in
            guard let (key, _) = try Self.voucherPool(projectID: projectID, id: poolID, db) else { return nil }
            let plan: VoucherPaging.Plan =
                status.map { .statusAfter(status: $0, sequence: afterSequence) }
                ?? .after(sequence: afterSequence)
            return try Self.page(key: key, plan: plan, limit: limit, db)
        }
    }

    private static func sequenceBefore(
        skipping skip: Int64, other: VoucherStatus, key: Int64, _ db: SQLiteConnection
    ) throws -> Int64 {
        try db.withStatement(SQL.statusSequences) { s in
            try s.bindAll(key, other.rawValue)
            // Rows are stepped lazily: only the other kind's numbers before the page.
            return try VoucherPaging.sequenceBefore(skipping: skip) { try s.step() ? s.int64(0) : nil }
        }
    }

    private static func page(key: Int64, plan: VoucherPaging.Plan, limit: Int, _ db: SQLiteConnection) throws -> [VoucherCode] {
        let sql: String
        let bound: Int64
        var status: VoucherStatus?
        switch plan {
        case .after(let sequence): (sql, bound) = (SQL.after, sequence)
        case .statusAfter(let filter, let sequence): (sql, bound, status) = (SQL.statusAfter, sequence, filter)
        case .offset(let filter, let offset): (sql, bound, status) = (SQL.statusOffset, offset, filter)
        case .skippingOthers(let filter, let skip, let other):
            let sequence = try sequenceBefore(skipping: skip, other: other, key: key, db)
            (sql, bound, status) = (SQL.statusAfter, sequence, filter)
        }
        return try db.withStatement(sql) { s in
            try s.bindAll(key, bound, limit)
            if let status { try s.bind(4, status.rawValue) }
            var codes: [VoucherCode] = []
            codes.reserveCapacity(min(limit, 1024))
            while try s.step() { codes.append(SQLiteRows.voucherCode(s)) }
            return codes
        }
    }
}
