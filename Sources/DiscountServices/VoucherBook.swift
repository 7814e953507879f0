import DiscountCore
import DiscountProto
import DiscountStore
import ProtoCodec

/// The Vouchers domain over the store: tenancy, and store answers turned into
/// the errors callers see.
///
/// Not an actor and without a cache: a pool's counts must be exact at every
/// moment, and the store keeps them with each write; the one writer thread
/// already serializes assignments, so another queue in front would only add a hop.
struct VoucherBook: Sendable {
    let store: any Store & VoucherStore

    // MARK: Tenancy

    /// The project a call names (its own when `requested` is empty), if the
    /// principal may reach it: its own project; any project only for the
    /// operator (an `admin` principal of the default project), as for price
    /// rules and campaigns, which a token reaches only in its own project.
    static func reachable(_ requested: String, _ principal: Principal) -> String? {
        let projectID = requested.isEmpty ? principal.projectID : requested
        guard principal.projectID == projectID || principal.isOperator else { return nil }
        return projectID
    }

    /// A project-level call: an unreachable or unknown project is PROJECT_NOT_FOUND.
    func project(_ requested: String, _ principal: Principal) async throws -> String {
        guard let projectID = Self.reachable(requested, principal),
            try await store.project(id: projectID) != nil
        else { throw ServiceError.projectNotFound(requested) }
        return projectID
    }

    /// A pool-level call: another project's pool is simply not found.
    static func poolProject(_ requested: String, poolID: String, _ principal: Principal) throws -> String {
        guard let projectID = Self.reachable(requested, principal) else { throw ServiceError.voucherPoolNotFound(poolID) }
        return projectID
    }

    /// Projects the principal may see.
    func projects(_ principal: Principal) async throws -> [DiscountCore.Project] {
        if principal.isOperator { return try await store.projects() }
        return try await store.project(id: principal.projectID).map { [$0] } ?? []
    }

    // MARK: Pools

    func createPool(_ pool: VoucherPoolRecord, options: WriteOptions<Void>) async throws -> VoucherPoolRecord {
        do {
            try await store.insertVoucherPool(pool, options: options)
        } catch StoreError.conflict {
            throw ServiceError.voucherPoolNameTaken(pool.name)
        } catch let error as StoreError {
            throw ServiceError.from(error)
        }
        return pool
    }

    func pool(projectID: String, id: String) async throws -> VoucherPoolRecord {
        guard let pool = try await storing({ try await store.voucherPool(projectID: projectID, id: id) }) else {
            throw ServiceError.voucherPoolNotFound(id)
        }
        return pool
    }

    func pools(projectID: String) async throws -> [VoucherPoolRecord] {
        try await storing { try await store.voucherPools(projectID: projectID) }
    }

    func usedBy(projectID: String, id: String) async throws -> [String] {
        try await storing { try await store.voucherPoolUsedBy(projectID: projectID, id: id) }
    }

    func deletePool(projectID: String, id: String, options: WriteOptions<Int64?>) async throws -> Int64 {
        guard
            let deleted = try await storing({ try await store.deleteVoucherPool(projectID: projectID, id: id, options: options) })
        else {
            throw ServiceError.voucherPoolNotFound(id)
        }
        return deleted
    }

    // MARK: Codes

    /// Adds one chunk, with the checkpoint `checkpoint` makes from what was
    /// added when the operation has one.
    func add(
        projectID: String, poolID: String, _ codes: [VoucherCodeText],
        checkpoint: (@Sendable (VoucherAddResult) -> BulkCheckpoint)? = nil
    ) async throws -> VoucherAddResult {
        let stored: VoucherAddResult?
        if let checkpoint {
            stored = try await storing {
                try await store.addVoucherCodes(projectID: projectID, poolID: poolID, codes: codes, checkpoint: checkpoint)
            }
        } else {
            stored = try await storing { try await store.addVoucherCodes(projectID: projectID, poolID: poolID, codes: codes) }
        }
        guard let stored else { throw ServiceError.voucherPoolNotFound(poolID) }
        return stored
    }

    func page(
        projectID: String, poolID: String, status: VoucherStatus?, skip: Int64, limit: Int
    ) async throws -> (pool: VoucherPoolRecord, codes: [VoucherCodeRecord]) {
        guard
            let page = try await storing({
                try await store.voucherCodes(projectID: projectID, poolID: poolID, status: status, skip: skip, limit: limit)
            })
        else { throw ServiceError.voucherPoolNotFound(poolID) }
        return page
    }

    func chunk(
        projectID: String, poolID: String, status: VoucherStatus?, after: Int64, limit: Int
    ) async throws -> [VoucherCodeRecord] {
        guard
            let codes = try await storing({
                try await store.voucherCodes(
                    projectID: projectID, poolID: poolID, status: status, afterSequence: after, limit: limit)
            })
        else { throw ServiceError.voucherPoolNotFound(poolID) }
        return codes
    }

    /// The store's outcome of an assignment.
    func assign(
        _ assignment: VoucherAssignment, options: WriteOptions<VoucherAssignmentOutcome>
    ) async throws -> VoucherAssignmentOutcome {
        try await storing { try await store.assignVoucherCode(assignment, options: options) }
    }

    /// The customer's code and whether they already had it, or why there is none.
    static func answer(
        _ assignment: VoucherAssignment, _ outcome: VoucherAssignmentOutcome
    ) throws -> (VoucherCodeRecord, alreadyAssigned: Bool) {
        switch outcome {
        case .assigned(let code): return (code, false)
        case .alreadyAssigned(let code): return (code, true)
        case .poolExhausted: throw ServiceError.poolExhausted(assignment.poolID)
        case .poolNotFound: throw ServiceError.voucherPoolNotFound(assignment.poolID)
        }
    }

    func redeem(
        projectID: String, code text: String, options: WriteOptions<VoucherRedemptionOutcome>
    ) async throws -> VoucherRedemptionOutcome {
        try await storing {
            try await store.redeemVoucherCode(
                projectID: projectID, canonicalCode: CodeText.canonical(text), at: .now(), options: options)
        }
    }

    /// The redeemed code, or why it was not.
    static func redeemed(_ outcome: VoucherRedemptionOutcome, text: String) throws -> VoucherCodeRecord {
        switch outcome {
        case .redeemed(let code): return code
        case .alreadyRedeemed(let code): throw ServiceError.voucherAlreadyRedeemed(code.code)
        case .notAssigned(let code): throw ServiceError.voucherNotAssigned(code.code)
        case .codeNotFound: throw ServiceError.voucherCodeNotFound(text)
        }
    }

    private func storing<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw ServiceError.from(error)
        }
    }
}
