import DiscountCore

/// The durable truth behind `discountd.v1.Vouchers`. Like `Store`, every write
/// returns once committed and reads never wait behind writes.
///
/// A pool's counts are exact at every moment: they change in the same
/// transaction as the codes they count. Pools are addressed by
/// (project, pool id): another project's pool is simply not found.
public protocol VoucherStore: Sendable {
    /// Throws `StoreError.conflict` when the id or the name is taken in the project.
    func insertVoucherPool(_ pool: VoucherPool, options: WriteOptions<Void>) async throws
    func voucherPool(projectID: String, id: String) async throws -> VoucherPool?
    /// The project's pools in creation order.
    func voucherPools(projectID: String) async throws -> [VoucherPool]
    /// The distinct used_by references the pool's codes were assigned with, sorted.
    func voucherPoolUsedBy(projectID: String, id: String) async throws -> [String]
    /// Deletes the pool and its codes; nil when missing, else how many codes went.
    func deleteVoucherPool(projectID: String, id: String, options: WriteOptions<Int64?>) async throws -> Int64?

    /// Appends `codes` to the pool as available, in order; a code the project
    /// already has (in any pool), or that `codes` repeats, counts as a
    /// duplicate. Nil when the pool is missing. One transaction per call:
    /// callers chunk big imports.
    func addVoucherCodes(projectID: String, poolID: String, codes: [VoucherCodeText]) async throws -> VoucherAddResult?
    /// The same, in one transaction with the checkpoint `checkpoint` makes from what was added.
    func addVoucherCodes(
        projectID: String, poolID: String, codes: [VoucherCodeText],
        checkpoint: @escaping @Sendable (VoucherAddResult) -> BulkCheckpoint
    ) async throws -> VoucherAddResult?

    /// A page of the pool's codes in pool order, optionally of one status,
    /// skipping `skip` of them; nil when the pool is missing. Deep pages cost
    /// what the first costs (see `VoucherPaging`) except for the assigned and
    /// redeemed filters, which step over an index.
    func voucherCodes(
        projectID: String, poolID: String, status: VoucherStatus?, skip: Int64, limit: Int
    ) async throws -> (pool: VoucherPool, codes: [VoucherCode])?
    /// Keyset page for exports: codes numbered above `afterSequence`.
    func voucherCodes(
        projectID: String, poolID: String, status: VoucherStatus?, afterSequence: Int64, limit: Int
    ) async throws -> [VoucherCode]?

    /// Gives the customer their code: the one they already hold for
    /// (customer, used_by), else the lowest-numbered available one, marked
    /// assigned. One guarded write: no code ever goes to two customers.
    func assignVoucherCode(
        _ assignment: VoucherAssignment, options: WriteOptions<VoucherAssignmentOutcome>
    ) async throws -> VoucherAssignmentOutcome
    /// assigned → redeemed for the project's code `canonicalCode`.
    func redeemVoucherCode(
        projectID: String, canonicalCode: String, at: Instant, options: WriteOptions<VoucherRedemptionOutcome>
    ) async throws -> VoucherRedemptionOutcome
}

/// The same writes without a deadline or key, for tools, workers and tests.
extension VoucherStore {
    public func insertVoucherPool(_ pool: VoucherPool) async throws {
        try await insertVoucherPool(pool, options: .plain)
    }

    public func deleteVoucherPool(projectID: String, id: String) async throws -> Int64? {
        try await deleteVoucherPool(projectID: projectID, id: id, options: .plain)
    }

    public func assignVoucherCode(_ assignment: VoucherAssignment) async throws -> VoucherAssignmentOutcome {
        try await assignVoucherCode(assignment, options: .plain)
    }

    public func redeemVoucherCode(projectID: String, canonicalCode: String, at: Instant) async throws -> VoucherRedemptionOutcome
    {
        try await redeemVoucherCode(projectID: projectID, canonicalCode: canonicalCode, at: at, options: .plain)
    }
}
