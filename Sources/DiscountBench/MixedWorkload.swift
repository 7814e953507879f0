/// The mixed agent workload: 8 reads and 2 durable writes in every 10 calls,
/// spread evenly (a write every fifth call) so that any window of the run has
/// the same mix, whatever the number of connections or calls in flight.
public enum MixedWorkload {
    /// One cycle of the mix, indexed by call sequence number modulo its length.
    public static let cycle: [BenchScenario] = [
        .getMyDiscountCodeExisting, .lookupDiscountCode, .getMyDiscountCodeExisting, .getDiscountCode,
        .assignVoucherCode,
        .getMyDiscountCodeExisting, .lookupDiscountCode, .getMyDiscountCodeExisting, .getDiscountCode,
        .redeemDiscountCode,
    ]

    /// The scenario of call number `sequence` (0-based) of a mixed run.
    public static func scenario(forCall sequence: UInt64) -> BenchScenario {
        cycle[Int(sequence % UInt64(cycle.count))]
    }

    /// The share of writes in the cycle, 0…1.
    public static var writeShare: Double {
        Double(cycle.filter(\.isDurableWrite).count) / Double(cycle.count)
    }
}
