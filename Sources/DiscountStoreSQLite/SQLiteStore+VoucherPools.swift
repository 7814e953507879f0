import DiscountCore
import DiscountStore

private enum SQL {
    static let insert = """
        INSERT INTO voucher_pools (project_id, id, name, total, available, assigned, redeemed, created_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        """
    static let byID = "SELECT \(SQLiteRows.voucherPoolColumns) FROM voucher_pools WHERE project_id = ?1 AND id = ?2"
    static let ofProject = """
        SELECT \(SQLiteRows.voucherPoolColumns) FROM voucher_pools WHERE project_id = ?1 ORDER BY pool_key
        """
    static let usedBy = """
        SELECT u.used_by FROM voucher_pool_used_by u JOIN voucher_pools p ON p.pool_key = u.pool_key
        WHERE p.project_id = ?1 AND p.id = ?2 ORDER BY u.used_by
        """
    static let deleteCodes = "DELETE FROM voucher_codes WHERE pool_key = ?1"
    static let deleteUsedBy = "DELETE FROM voucher_pool_used_by WHERE pool_key = ?1"
    static let deletePool = "DELETE FROM voucher_pools WHERE pool_key = ?1"
}

extension SQLiteStore: VoucherStore {
    public func insertVoucherPool(_ pool: VoucherPool, options: WriteOptions<Void>) async throws {
        try await write(options: options) { db in
            do {
                try db.withStatement(SQL.insert) { s in
                    try s.bindAll(
                        pool.projectID, pool.id, pool.name, pool.total, pool.available, pool.assigned, pool.redeemed,
                        pool.createdAt)
                    try s.run()
                }
            } catch let error as SQLiteError where error.isUniqueViolation {
                throw StoreError.conflict(error.involves("name") ? "voucher pool named \(pool.name)" : "voucher pool \(pool.id)")
            } catch let error as SQLiteError where error.isForeignKeyViolation {
                throw StoreError.failure("project \(pool.projectID) does not exist")
            }
        }
    }

    public func voucherPool(projectID: String, id: String) async throws -> VoucherPool? {
        try read { db in try Self.voucherPool(projectID: projectID, id: id, db)?.pool }
    }

    public func voucherPools(projectID: String) async throws -> [VoucherPool] {
        try read { db in
            try db.withStatement(SQL.ofProject) { s in
                try s.bind(1, projectID)
                var pools: [VoucherPool] = []
                while try s.step() { pools.append(SQLiteRows.voucherPool(s).pool) }
                return pools
            }
        }
    }

    public func voucherPoolUsedBy(projectID: String, id: String) async throws -> [String] {
        try read { db in
            try db.withStatement(SQL.usedBy) { s in
                try s.bindAll(projectID, id)
                var references: [String] = []
                while try s.step() { references.append(s.string(0)) }
                return references
            }
        }
    }

    public func deleteVoucherPool(projectID: String, id: String, options: WriteOptions<Int64?>) async throws -> Int64? {
        try await write(freesSpace: true, options: options) { db in
            guard let (key, pool) = try Self.voucherPool(projectID: projectID, id: id, db) else { return nil }
            for sql in [SQL.deleteCodes, SQL.deleteUsedBy, SQL.deletePool] {
                try db.withStatement(sql) { s in
                    try s.bind(1, key)
                    try s.run()
                }
            }
            return pool.total
        }
    }

    /// The pool and its key, on whichever connection the caller holds.
    static func voucherPool(projectID: String, id: String, _ db: SQLiteConnection) throws -> (key: Int64, pool: VoucherPool)? {
        try db.withStatement(SQL.byID) { s in
            try s.bindAll(projectID, id)
            return try s.step() ? SQLiteRows.voucherPool(s) : nil
        }
    }
}
