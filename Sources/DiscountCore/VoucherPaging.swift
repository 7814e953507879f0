/// How a `skip` over a pool's codes becomes a keyset bound, so a page deep
/// into a pool of millions costs what the first page costs.
///
/// Codes are numbered 1, 2, 3… in their pool and never removed one by one,
/// and assignment always takes the lowest-numbered available code. So:
/// - unfiltered, the code after `skip` is number `skip + 1`;
/// - every available code comes after every assigned or redeemed one, so the
///   available codes are exactly numbers `total - available + 1 … total`.
/// Assigned and redeemed codes interleave within numbers 1 … total − available.
/// While one of the two kinds is absent the other is exactly that range; else a
/// page either skips along the status index (`offset`) or, when the other kind
/// is the rarer, steps over the other kind's numbers instead (`skippingOthers`),
/// whichever reads fewer index entries.
public enum VoucherPaging {
    public enum Plan: Sendable, Hashable {
        /// Codes numbered above `sequence`.
        case after(sequence: Int64)
        /// Codes of `status`, skipping the first `offset` of them.
        case offset(status: VoucherStatus, offset: Int64)
        /// Codes of `status` numbered above `sequence`.
        case statusAfter(status: VoucherStatus, sequence: Int64)
        /// Codes of `status`, skipping the first `skip` of them, found by
        /// reading the numbers of the `other` kind that lie before them
        /// (see `sequenceBefore(skipping:nextOther:)`).
        case skippingOthers(status: VoucherStatus, skip: Int64, other: VoucherStatus)
    }

    public static func plan(skip: Int64, status: VoucherStatus?, pool: VoucherPool) -> Plan {
        switch status {
        case nil:
            return .after(sequence: skip)
        case .available?:
            return .statusAfter(status: .available, sequence: pool.total - pool.available + skip)
        case let handedOut?:
            let other: VoucherStatus = handedOut == .assigned ? .redeemed : .assigned
            let others = pool.count(of: other)
            if others == 0 { return .statusAfter(status: handedOut, sequence: skip) }
            return others < skip
                ? .skippingOthers(status: handedOut, skip: skip, other: other)
                : .offset(status: handedOut, offset: skip)
        }
    }

    /// The number after which the wanted kind's codes continue once `skip` of
    /// them are passed, given the other kind's numbers in ascending order (the
    /// two kinds fill 1 … total − available between them). Reads the other
    /// kind's numbers only up to that point.
    /// `nextOther` yields those numbers one by one (nil at the end).
    public static func sequenceBefore(
        skipping skip: Int64, nextOther: () throws -> Int64?
    ) rethrows -> Int64 {
        // Without others the (skip+1)-th wanted code is number skip+1; each
        // other code at or before the candidate pushes it one further.
        var candidate = skip + 1
        while let sequence = try nextOther(), sequence <= candidate {
            candidate += 1
        }
        return candidate - 1
    }
}
