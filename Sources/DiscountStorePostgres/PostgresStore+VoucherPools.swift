import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore: VoucherStore {
    public func insertVoucherPool(_ pool: VoucherPool, options: WriteOptions<Void>) async throws {
        try await write(options: options) { transaction in
            do {
                try await transaction.rows(
                    """
                    INSERT INTO voucher_pools (project_id, id, name, total, available, assigned, redeemed, created_at)
                    VALUES (\(pool.projectID), \(pool.id), \(pool.name), \(pool.total), \(pool.available), \(pool.assigned),
                        \(pool.redeemed), \(pool.createdAt))
                    """)
            } catch  where PostgresErrors.isUniqueViolation(error) {
                throw StoreError.conflict(
                    PostgresErrors.constraint(error) == "voucher_pools_project_id_name_key"
                        ? "voucher pool named \(pool.name)" : "voucher pool \(pool.id)")
            } catch  where PostgresErrors.isForeignKeyViolation(error) {
                throw StoreError.failure("project \(pool.projectID) does not exist")
            }
            transaction.changed(.voucherPool, pool.projectID, pool.id, version: 1)
        }
    }

    public func voucherPool(projectID: String, id: String) async throws -> VoucherPool? {
        try await rows(Self.poolQuery(projectID: projectID, id: id)).first.map {
            var r = $0.reader()
            return try PostgresRows.voucherPool(&r).pool
        }
    }

    public func voucherPools(projectID: String) async throws -> [VoucherPool] {
        try await rows(
            """
            SELECT \(unescaped: PostgresRows.voucherPoolColumns) FROM voucher_pools WHERE project_id = \(projectID)
            ORDER BY pool_key
            """
        ).map {
            var r = $0.reader()
            return try PostgresRows.voucherPool(&r).pool
        }
    }

    public func voucherPoolUsedBy(projectID: String, id: String) async throws -> [String] {
        try await rows(
            """
            SELECT u.used_by FROM voucher_pool_used_by u JOIN voucher_pools p ON p.pool_key = u.pool_key
            WHERE p.project_id = \(projectID) AND p.id = \(id) ORDER BY u.used_by
            """
        ).map { try $0.decode(String.self) }
    }

    /// Codes first, then the pool: the order assignments lock them in.
    public func deleteVoucherPool(projectID: String, id: String, options: WriteOptions<Int64?>) async throws -> Int64? {
        try await write(options: options) { transaction in
            guard
                let key = try await transaction.rows(
                    """
                    SELECT pool_key FROM voucher_pools WHERE project_id = \(projectID) AND id = \(id)
                    """
                ).first?.decode(Int64.self)
            else { return nil }
            try await transaction.rows("DELETE FROM voucher_codes WHERE pool_key = \(key)")
            try await transaction.rows("DELETE FROM voucher_pool_used_by WHERE pool_key = \(key)")
            guard
                let total = try await transaction.rows(
                    """
                    DELETE FROM voucher_pools WHERE pool_key = \(key) RETURNING total
                    """
                ).first?.decode(Int64.self)
            else { return nil }
            transaction.changed(.voucherPool, projectID, id)
            return total
        }
    }

    static func poolQuery(projectID: String, id: String, lock: Bool = false) -> PostgresQuery {
        """
        SELECT \(unescaped: PostgresRows.voucherPoolColumns) FROM voucher_pools WHERE project_id = \(projectID) AND id = \(id)
        \(unescaped: lock ? "FOR UPDATE" : "")
        """
    }
}
