import DiscountCore

/// The durable truth behind the services. Every write returns only once it is
/// committed (durable); reads never wait behind writes.
///
/// Every change to a price rule or discount code (edits, usage counts) bumps
/// its `version` by one, and every method returning one returns it as stored
/// after the change: caches keep whichever copy has the higher version.
///
/// Implementations: `SQLiteStore` (embedded default). The contract suite in
/// Tests/DiscountStoreTests runs against each.
public protocol Store: Sendable {
    /// "sqlite", "postgresql": what Admin.ServerInfo reports.
    var backendName: String { get }

    // MARK: Projects

    /// Throws `StoreError.conflict` when the id or name is taken.
    func insertProject(_ project: Project, options: WriteOptions<Void>) async throws
    func project(id: String) async throws -> Project?
    func projects() async throws -> [Project]

    // MARK: Tokens

    func insertToken(_ token: TokenRecord, options: WriteOptions<Void>) async throws
    func token(secretHash: String) async throws -> TokenRecord?
    func token(id: String) async throws -> TokenRecord?
    /// Marks the token revoked (idempotent: keeps the first revocation time);
    /// nil when no such token exists.
    func revokeToken(id: String, at: Instant, options: WriteOptions<TokenRecord?>) async throws -> TokenRecord?

    // MARK: Price rules

    /// Throws `StoreError.conflict` when the id is taken.
    func insertPriceRule(_ rule: PriceRule, options: WriteOptions<Void>) async throws
    func priceRule(projectID: String, id: String) async throws -> PriceRule?
    /// Keyset page ordered by id: rules with id > `after`, at most `limit`.
    func priceRules(projectID: String, after: String?, limit: Int) async throws -> [PriceRule]
    /// Replaces the rule's editable fields (not usage_count); returns the rule
    /// as stored (with its new version), nil when missing.
    func updatePriceRule(_ rule: PriceRule, options: WriteOptions<PriceRule?>) async throws -> PriceRule?
    /// Deletes the rule and its codes; nil when missing, else how many codes went with it.
    func deletePriceRule(projectID: String, id: String, options: WriteOptions<Int64?>) async throws -> Int64?

    // MARK: Discount codes

    /// Throws `StoreError.codeTaken` when the canonical code exists in the project.
    func insertDiscountCode(_ code: DiscountCode, options: WriteOptions<Void>) async throws
    /// Inserts as many as it can in large transactions; returns the canonical
    /// codes refused because the project already has them (or the batch repeats them).
    func insertDiscountCodes(_ codes: [DiscountCode]) async throws -> [String]
    /// The same for one chunk of a bulk operation, in one transaction together
    /// with the checkpoint `checkpoint` makes from the codes refused.
    func insertDiscountCodes(
        _ codes: [DiscountCode], checkpoint: @escaping @Sendable ([String]) -> BulkCheckpoint
    ) async throws -> [String]
    func discountCode(projectID: String, id: String) async throws -> DiscountCode?
    func discountCode(projectID: String, canonicalCode: String) async throws -> DiscountCode?
    /// Keyset page of one rule's codes ordered by id.
    func discountCodes(projectID: String, priceRuleID: String, after: String?, limit: Int) async throws -> [DiscountCode]
    /// Replaces code text, use_with_other, usage_limit and updated_at (not
    /// usage_count); returns the code as stored, nil when missing;
    /// `StoreError.codeTaken` on a clash.
    func updateDiscountCode(_ code: DiscountCode, options: WriteOptions<DiscountCode?>) async throws -> DiscountCode?
    func deleteDiscountCode(projectID: String, id: String, options: WriteOptions<Bool>) async throws -> Bool
    func countDiscountCodes(projectID: String) async throws -> Int64

    // MARK: Redemptions

    /// Checks `RedemptionPolicy` and counts the use in one guarded write;
    /// idempotent per (order, code).
    func redeem(_ request: RedemptionRequest, options: WriteOptions<RedemptionOutcome>) async throws -> RedemptionOutcome
    /// Whether `customerID` has a live redemption under the rule.
    func customerHasRedeemed(projectID: String, priceRuleID: String, customerID: String) async throws -> Bool
    /// Gives back every live use the order made; returns the codes as they are
    /// afterwards (empty when there was nothing to release).
    func rollbackRedemptions(
        projectID: String, orderID: String, at: Instant, options: WriteOptions<[DiscountCode]>
    ) async throws -> [DiscountCode]

    // MARK: Idempotency

    func idempotencyRecord(projectID: String, key: String) async throws -> IdempotencyRecord?
    /// Stores the record unless one exists for the key; returns whichever is kept.
    func saveIdempotencyRecord(_ record: IdempotencyRecord) async throws -> IdempotencyRecord
    /// Deletes up to `limit` records (and bulk checkpoints) older than
    /// `cutoff`, oldest first; returns how many records it deleted (fewer
    /// than `limit`: none are left).
    func purgeIdempotencyRecords(createdBefore cutoff: Instant, limit: Int) async throws -> Int

    /// The checkpoint of an unfinished bulk operation under `key`, if any.
    func bulkCheckpoint(projectID: String, key: String) async throws -> BulkCheckpoint?
    /// A bulk operation under a key has finished: saves its final answer
    /// (as `saveIdempotencyRecord`) and drops its checkpoint, in one transaction.
    func finishBulk(_ record: IdempotencyRecord) async throws -> IdempotencyRecord

    /// Flushes and closes; later calls throw `StoreError.closed`.
    func close() async
}

/// The same writes without a deadline or key, for tools, workers and tests.
extension Store {
    public func insertProject(_ project: Project) async throws {
        try await insertProject(project, options: .plain)
    }

    public func insertToken(_ token: TokenRecord) async throws {
        try await insertToken(token, options: .plain)
    }

    public func revokeToken(id: String, at: Instant) async throws -> TokenRecord? {
        try await revokeToken(id: id, at: at, options: .plain)
    }

    public func insertPriceRule(_ rule: PriceRule) async throws {
        try await insertPriceRule(rule, options: .plain)
    }

    public func updatePriceRule(_ rule: PriceRule) async throws -> PriceRule? {
        try await updatePriceRule(rule, options: .plain)
    }

    public func deletePriceRule(projectID: String, id: String) async throws -> Int64? {
        try await deletePriceRule(projectID: projectID, id: id, options: .plain)
    }

    public func insertDiscountCode(_ code: DiscountCode) async throws {
        try await insertDiscountCode(code, options: .plain)
    }

    public func updateDiscountCode(_ code: DiscountCode) async throws -> DiscountCode? {
        try await updateDiscountCode(code, options: .plain)
    }

    public func deleteDiscountCode(projectID: String, id: String) async throws -> Bool {
        try await deleteDiscountCode(projectID: projectID, id: id, options: .plain)
    }

    public func redeem(_ request: RedemptionRequest) async throws -> RedemptionOutcome {
        try await redeem(request, options: .plain)
    }

    public func rollbackRedemptions(projectID: String, orderID: String, at: Instant) async throws -> [DiscountCode] {
        try await rollbackRedemptions(projectID: projectID, orderID: orderID, at: at, options: .plain)
    }
}

public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case codeTaken(String)
    case conflict(String)
    case closed
    /// The caller's `WriteDeadline` passed before the write began; nothing was written.
    case deadlineExceeded
    /// The filesystem under the store is full: nothing of the write was kept.
    /// Writes that free space (deletes) still run.
    case storageFull
    /// The write's idempotency key already has a live record (its first
    /// answer): nothing was written. See `IdempotencyClaim`.
    case replay(IdempotencyRecord)
    case failure(String)

    public var description: String {
        switch self {
        case .codeTaken(let code): "code \(code) is already taken"
        case .conflict(let what): "\(what) already exists"
        case .closed: "the store is closed"
        case .deadlineExceeded: "the deadline passed before the write began"
        case .storageFull: "the disk holding the store is full"
        case .replay(let record): "idempotency key \(record.key) was used already"
        case .failure(let message): message
        }
    }
}
