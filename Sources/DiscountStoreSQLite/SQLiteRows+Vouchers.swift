import DiscountCore
import DiscountStore

/// Column lists and row decoders of the voucher tables.
extension SQLiteRows {
    static let voucherPoolColumns = "pool_key, project_id, id, name, total, available, assigned, redeemed, created_at"

    /// The pool and its integer key (what the codes hang off).
    static func voucherPool(_ row: SQLiteStatement) -> (key: Int64, pool: VoucherPool) {
        (
            row.int64(0),
            VoucherPool(
                id: row.string(2), projectID: row.string(1), name: row.string(3), total: row.int64(4),
                available: row.int64(5), assigned: row.int64(6), redeemed: row.int64(7), createdAt: row.instant(8))
        )
    }

    static let voucherCodeColumns = "code, status, seq, customer_id, used_by, assigned_at, redeemed_at"

    /// Reads a code starting at column `first`; a stored '' used_by is none.
    static func voucherCode(_ row: SQLiteStatement, from first: Int32 = 0) -> VoucherCode {
        let c = first
        let usedBy = row.optionalString(c + 4)
        return VoucherCode(
            code: row.string(c), status: VoucherStatus(rawValue: row.int64(c + 1)) ?? .available,
            sequence: row.int64(c + 2), customerID: row.optionalString(c + 3),
            usedBy: usedBy?.isEmpty == true ? nil : usedBy,
            assignedAt: row.optionalInstant(c + 5), redeemedAt: row.optionalInstant(c + 6))
    }
}
