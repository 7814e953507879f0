/// `discountd.v1.Vouchers`: pools of pre-made codes handed out one at a time.
///
/// Every method names a project (`projectID`; empty means the token's own).
/// Reads need `read_vouchers`, writes `write_vouchers`. Another project's
/// pool answers NOT_FOUND (`VOUCHER_POOL_NOT_FOUND`), as an unknown one does.
extension DiscountClient {

    /// Projects the token may see.
    public func listProjects() async throws -> ListProjectsResponse {
        try await call(VouchersRPC.listProjects, ListProjectsRequest())
    }

    /// The project's pools with their total and available counts.
    public func listVoucherPools(projectID: String = "") async throws -> ListVoucherPoolsResponse {
        try await call(VouchersRPC.listVoucherPools, ListVoucherPoolsRequest(projectId: projectID))
    }

    /// One pool: counts, owning project (`company_id`) and the used_by references it was assigned with.
    public func getVoucherPool(projectID: String = "", poolID: String) async throws -> GetVoucherPoolResponse {
        try await call(VouchersRPC.getVoucherPool, GetVoucherPoolRequest(projectId: projectID, poolId: poolID))
    }

    /// A page of a pool's codes in pool order: `skip` codes skipped, `count`
    /// (1…1000, default 20) returned, optionally of one status.
    public func listVoucherCodes(_ request: ListVoucherCodesRequest) async throws -> ListVoucherCodesResponse {
        try await call(VouchersRPC.listVoucherCodes, request)
    }

    /// Creates an empty pool; ALREADY_EXISTS (`POOL_NAME_TAKEN`) when the name is used in the project.
    public func createVoucherPool(
        projectID: String = "", name: String, idempotencyKey: String? = nil
    ) async throws -> CreateVoucherPoolResponse {
        try await call(
            VouchersRPC.createVoucherPool, CreateVoucherPoolRequest(projectId: projectID, name: name),
            idempotencyKey: idempotencyKey)
    }

    /// Deletes a pool and its codes.
    public func deleteVoucherPool(
        projectID: String = "", poolID: String, idempotencyKey: String? = nil
    ) async throws -> DeleteVoucherPoolResponse {
        try await call(
            VouchersRPC.deleteVoucherPool, DeleteVoucherPoolRequest(projectId: projectID, poolId: poolID),
            idempotencyKey: idempotencyKey)
    }

    /// Imports (`codes`) or generates (`generator`) codes: zero or more
    /// `progress` messages, then one with `result`. `timeout` overrides the
    /// client's deadline for this call (big imports take longer).
    public func addVoucherCodes(
        _ request: AddVoucherCodesRequest, idempotencyKey: String? = nil, timeout: Duration? = nil
    ) -> AsyncThrowingStream<AddVoucherCodesResponse, any Error> {
        serverStream(
            VouchersRPC.addVoucherCodes, request,
            idempotencyKey: idempotencyKey, timeout: timeout)
    }

    /// Imports or generates codes, calling `progress` for each progress message; returns the result.
    public func addVoucherCodes(
        _ request: AddVoucherCodesRequest, idempotencyKey: String? = nil, timeout: Duration? = nil,
        progress: (BulkProgress) async throws -> Void = { _ in }
    ) async throws -> AddVoucherCodesResult {
        try await bulkResult(
            of: addVoucherCodes(request, idempotencyKey: idempotencyKey, timeout: timeout), method: "AddVoucherCodes",
            progress: progress)
    }

    /// Hands the customer one available code (the same one again for the same
    /// customer and `usedBy`); RESOURCE_EXHAUSTED (`POOL_EXHAUSTED`) when none is left.
    public func assignVoucherCode(
        projectID: String = "", poolID: String, customerID: String, usedBy: String? = nil, idempotencyKey: String? = nil
    ) async throws -> AssignVoucherCodeResponse {
        try await call(
            VouchersRPC.assignVoucherCode,
            AssignVoucherCodeRequest(projectId: projectID, poolId: poolID, customerId: customerID, usedBy: usedBy),
            idempotencyKey: idempotencyKey)
    }

    /// assigned → redeemed; FAILED_PRECONDITION when already redeemed (or never
    /// assigned), NOT_FOUND (`VOUCHER_CODE_NOT_FOUND`) for an unknown code.
    public func redeemVoucherCode(
        projectID: String = "", code: String, idempotencyKey: String? = nil
    ) async throws -> RedeemVoucherCodeResponse {
        try await call(
            VouchersRPC.redeemVoucherCode, RedeemVoucherCodeRequest(projectId: projectID, code: code),
            idempotencyKey: idempotencyKey)
    }

    /// Every code of a pool (optionally of one status) in pool order, in chunks of up to 1,000.
    public func exportVoucherCodes(
        _ request: ExportVoucherCodesRequest, timeout: Duration? = nil
    ) -> AsyncThrowingStream<ExportVoucherCodesResponse, any Error> {
        serverStream(VouchersRPC.exportVoucherCodes, request, timeout: timeout)
    }
}
