/// How a `skip` over a pool's codes becomes a keyset bound, so a page deep
/// into a pool of millions costs what the first page costs.
///
/// Codes are numbered 1, 2, 3… in their pool and never removed one by one,
/// and assignment always takes the lowest-numbered available code. So:
/// - unfiltered, the code after `skip` is number `skip + 1`;
/// - every available code comes after every assigned or redeemed one, so the
///   available codes are exactly numbers `total - available + 1 … total`.
/// Assigned and redeemed codes interleave; their pages skip along an index.
public enum VoucherPaging {
    public enum Plan: Sendable, Hashable {
        /// Codes numbered above `sequence`.
        case after(sequence: Int64)
        /// Codes of `status`, skipping the first `offset` of them.
        case offset(status: VoucherStatus, offset: Int64)
        /// Codes of `status` numbered above `sequence`.
        case statusAfter(status: VoucherStatus, sequence: Int64)
    }

    public static func plan(skip: Int64, status: VoucherStatus?, pool: VoucherPool) -> Plan {
        switch status {
        case nil: .after(sequence: skip)
        case .available?: .statusAfter(status: .available, sequence: pool.total - pool.available + skip)
        case let other?: .offset(status: other, offset: skip)
        }
    }
}
