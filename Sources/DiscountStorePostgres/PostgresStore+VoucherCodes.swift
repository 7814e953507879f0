import DiscountCore
import DiscountStore
import Logging
import PostgresNIO

extension PostgresStore {
    public func addVoucherCodes(projectID: String, poolID: String, codes: [VoucherCodeText]) async throws -> VoucherAddResult? {
        try await addingVoucherCodes { transaction in
            try await Self.addVoucherCodes(projectID: projectID, poolID: poolID, codes: codes, &transaction)
        }
    }

    public func addVoucherCodes(
        projectID: String, poolID: String, codes: [VoucherCodeText],
        checkpoint: @escaping @Sendable (VoucherAddResult) -> BulkCheckpoint
    ) async throws -> VoucherAddResult? {
        try await addingVoucherCodes { transaction in
            guard let result = try await Self.addVoucherCodes(projectID: projectID, poolID: poolID, codes: codes, &transaction)
            else { return nil }
            try await Self.saveBulkCheckpoint(checkpoint(result), transaction)
            return result
        }
    }

    /// A code another pool of the project took meanwhile (on another daemon)
    /// trips the unique index; running the write again counts it as a duplicate.
    private func addingVoucherCodes(
        _ body: (inout WriteTransaction) async throws -> VoucherAddResult?
    ) async throws -> VoucherAddResult? {
        var attempt = 1
        while true {
            do {
                return try await write(body)
            } catch  where attempt < 3 && PostgresErrors.isUniqueViolation(error) {
                attempt += 1
            }
        }
    }

    /// The pool is locked first (its next number is total + 1, so two adds
    /// must not interleave); then the new codes are numbered densely in one
    /// INSERT: the first of each key in the call, if the project has no code
    /// with that key.
    private static func addVoucherCodes(
        projectID: String, poolID: String, codes: [VoucherCodeText], _ transaction: inout WriteTransaction
    ) async throws -> VoucherAddResult? {
        guard let locked = try await transaction.rows(poolQuery(projectID: projectID, id: poolID, lock: true)).first else {
            return nil
        }
        var r = locked.reader()
        let (key, pool) = try PostgresRows.voucherPool(&r)
        guard !codes.isEmpty else { return VoucherAddResult() }
        let texts = codes.map(\.code)
        let keys = codes.map(\.canonical)
        let added =
            try await transaction.rows(
                """
                WITH fresh AS (
                    SELECT DISTINCT ON (i.canonical_code) i.code, i.canonical_code, i.ord
                    FROM unnest(\(texts)::text[], \(keys)::text[]) WITH ORDINALITY AS i (code, canonical_code, ord)
                    WHERE NOT EXISTS (
                        SELECT 1 FROM voucher_codes v WHERE v.project_id = \(projectID) AND v.canonical_code = i.canonical_code)
                    ORDER BY i.canonical_code, i.ord
                ),
                added AS (
                    INSERT INTO voucher_codes (pool_key, seq, project_id, code, canonical_code, status)
                    SELECT \(key), \(pool.total) + row_number() OVER (ORDER BY ord), \(projectID), code, canonical_code, 1
                    FROM fresh
                    RETURNING 1
                )
                SELECT count(*) FROM added
                """
            ).first?.decode(Int64.self) ?? 0
        if added > 0 {
            let version =
                try await transaction.rows(
                    """
                    UPDATE voucher_pools SET total = total + \(added), available = available + \(added), version = version + 1
                    WHERE pool_key = \(key) RETURNING version
                    """
                ).first?.decode(Int64.self) ?? 0
            transaction.changed(.voucherPool, projectID, poolID, version: version)
        }
        return VoucherAddResult(added: added, duplicates: Int64(codes.count) - added)
    }

    public func voucherCodes(
        projectID: String, poolID: String, status: VoucherStatus?, skip: Int64, limit: Int
    ) async throws -> (pool: VoucherPool, codes: [VoucherCode])? {
        // One snapshot: the counts and the page agree.
        try await snapshotRead { connection in
            guard
                let row = try await collect(connection.query(Self.poolQuery(projectID: projectID, id: poolID), logger: logger))
                    .first
            else { return nil }
            var r = row.reader()
            let (key, pool) = try PostgresRows.voucherPool(&r)
            let plan = VoucherPaging.plan(skip: skip, status: status, pool: pool)
            return (pool, try await Self.page(key: key, plan: plan, limit: limit, connection, logger))
        }
    }

    public func voucherCodes(
        projectID: String, poolID: String, status: VoucherStatus?, afterSequence: Int64, limit: Int
    ) async throws -> [VoucherCode]? {
        try await snapshotRead { connection in
            guard
                let key = try await collect(
                    connection.query(
                        """
                        SELECT pool_key FROM voucher_pools WHERE project_id = \(projectID) AND id = \(poolID)
                        """, logger: logger)
                ).first?.decode(Int64.self)
            else { return nil }
            let plan: VoucherPaging.Plan =
                status.map { .statusAfter(status: $0, sequence: afterSequence) }
                ?? .after(sequence: afterSequence)
            return try await Self.page(key: key, plan: plan, limit: limit, connection, logger)
        }
    }

    private static func page(
        key: Int64, plan: VoucherPaging.Plan, limit: Int, _ connection: PostgresConnection, _ logger: Logger
    ) async throws -> [VoucherCode] {
        let columns = PostgresRows.voucherCodeColumns
        let query: PostgresQuery
        switch plan {
        case .after(let sequence):
            query = """
                SELECT \(unescaped: columns) FROM voucher_codes WHERE pool_key = \(key) AND seq > \(sequence)
                ORDER BY seq LIMIT \(Int64(limit))
                """
        case .statusAfter(let status, let sequence):
            query = statusAfter(key: key, status: status, sequence: sequence, limit: limit)
        case .offset(let status, let offset):
            // The offset is stepped over in the (pool, status, seq) index alone.
            query = """
                SELECT \(unescaped: columns) FROM voucher_codes
                WHERE pool_key = \(key) AND status = \(Int16(status.rawValue)) AND seq >= (
                    SELECT seq FROM voucher_codes WHERE pool_key = \(key) AND status = \(Int16(status.rawValue))
                    ORDER BY seq OFFSET \(offset) LIMIT 1)
                ORDER BY seq LIMIT \(Int64(limit))
                """
        case .skippingOthers(let status, let skip, let other):
            // The other kind is the rarer (fewer than `skip`): all its numbers.
            let others = try await collect(
                connection.query(
                    """
                    SELECT seq FROM voucher_codes WHERE pool_key = \(key) AND status = \(Int16(other.rawValue)) ORDER BY seq
                    """, logger: logger)
            ).map { try $0.decode(Int64.self) }
            var iterator = others.makeIterator()
            let sequence = VoucherPaging.sequenceBefore(skipping: skip) { iterator.next() }
            query = statusAfter(key: key, status: status, sequence: sequence, limit: limit)
        }
        return try await collect(connection.query(query, logger: logger)).map { try $0.read(PostgresRows.voucherCode) }
    }

    private static func statusAfter(key: Int64, status: VoucherStatus, sequence: Int64, limit: Int) -> PostgresQuery {
        """
        SELECT \(unescaped: PostgresRows.voucherCodeColumns) FROM voucher_codes
        WHERE pool_key = \(key) AND status = \(Int16(status.rawValue)) AND seq > \(sequence)
        ORDER BY seq LIMIT \(Int64(limit))
        """
    }
}
