import DiscountCore
import DiscountProto
import DiscountStore
import ProtoCodec
import SystemRandom
import TTRPC

/// `discountd.v1.Vouchers`: the thin edge between the wire and `VoucherBook`.
/// Every method names its project (the seed's company_id; empty means the
/// token's own) and may reach only what its token may see.
struct VouchersService: Sendable {
    static let defaultPageSize: Int32 = 20
    static let maxPageSize: Int32 = 1000
    /// Codes per ExportVoucherCodes message.
    static let exportChunk = 1000

    let book: VoucherBook
    /// Codes per transaction and per progress message of an import.
    let importChunk: Int

    func register(in registrar: inout MethodRegistrar) {
        registrar.read(VouchersRPC.listProjects, scope: .readVouchers) { (_: ListProjectsRequest, principal, _) in
            ListProjectsResponse(projects: try await book.projects(principal).map(ProjectMessage.init))
        }
        registrar.read(VouchersRPC.listVoucherPools, scope: .readVouchers) { (request: ListVoucherPoolsRequest, principal, _) in
            let projectID = try await book.project(request.projectId, principal)
            return ListVoucherPoolsResponse(data: try await book.pools(projectID: projectID).map(VoucherPoolMessage.init))
        }
        registrar.read(VouchersRPC.getVoucherPool, scope: .readVouchers) { (request: GetVoucherPoolRequest, principal, _) in
            let (projectID, poolID) = try Self.pool(request.projectId, request.poolId, principal)
            let pool = try await book.pool(projectID: projectID, id: poolID)
            return GetVoucherPoolResponse(
                id: pool.id, name: pool.name, total: pool.total, available: pool.available, companyId: pool.projectID,
                usedBy: try await book.usedBy(projectID: projectID, id: poolID), assigned: pool.assigned,
                redeemed: pool.redeemed, createdAt: pool.createdAt.timestamp)
        }
        registrar.read(VouchersRPC.listVoucherCodes, scope: .readVouchers) { (request: ListVoucherCodesRequest, principal, _) in
            let (projectID, poolID) = try Self.pool(request.projectId, request.poolId, principal)
            let limit = try Self.pageSize(request.count)
            guard request.skip >= 0 else { throw ServiceError.invalidArgument(field: "skip", "skip must not be negative") }
            let status = try Self.status(request.status)
            let (pool, codes) = try await book.page(
                projectID: projectID, poolID: poolID, status: status, skip: Int64(request.skip), limit: Int(limit))
            return ListVoucherCodesResponse(
                data: codes.map(VoucherCodeMessage.init), matched: pool.count(of: status), matchedLimited: false,
                skip: request.skip, limit: limit)
        }
        registrar.stream(VouchersRPC.exportVoucherCodes, scope: .readVouchers) {
            (request: ExportVoucherCodesRequest, principal, _, writer: StreamWriter<ExportVoucherCodesResponse>) in
            let (projectID, poolID) = try Self.pool(request.projectId, request.poolId, principal)
            let status = try Self.status(request.status)
            // Keyset chunks, each its own short read: memory stays flat however big the pool.
            var after: Int64 = 0
            while true {
                try Task.checkCancellation()
                let codes = try await book.chunk(
                    projectID: projectID, poolID: poolID, status: status, after: after, limit: Self.exportChunk)
                if codes.isEmpty { break }
                try await writer.send(ExportVoucherCodesResponse(codes: codes.map(VoucherCodeMessage.init)))
                if codes.count < Self.exportChunk { break }
                after = codes[codes.count - 1].sequence
            }
        }
        registerWrites(in: &registrar)
    }

    private func registerWrites(in registrar: inout MethodRegistrar) {
        registrar.write(VouchersRPC.createVoucherPool, scope: .writeVouchers) { (request: CreateVoucherPoolRequest, call) in
            let projectID = try await book.project(request.projectId, call.principal)
            let pool = VoucherPoolRecord(
                id: TimeOrderedID.make(), projectID: projectID, name: try Validate.nonEmpty(request.name, field: "name"),
                createdAt: .now())
            let respond: @Sendable (()) -> CreateVoucherPoolResponse = { _ in
                CreateVoucherPoolResponse(pool: VoucherPoolMessage(pool))
            }
            _ = try await book.createPool(pool, options: call.write(answering: respond))
            return respond(())
        }
        registrar.write(VouchersRPC.deleteVoucherPool, scope: .writeVouchers) { (request: DeleteVoucherPoolRequest, call) in
            let (projectID, poolID) = try Self.pool(request.projectId, request.poolId, call.principal)
            let respond: @Sendable (Int64?) throws -> DeleteVoucherPoolResponse = { deleted in
                guard let deleted else { throw ServiceError.voucherPoolNotFound(poolID) }
                return DeleteVoucherPoolResponse(poolId: poolID, deletedCodes: deleted)
            }
            let deleted = try await book.deletePool(projectID: projectID, id: poolID, options: call.write(answering: respond))
            return try respond(deleted)
        }
        registrar.bulk(VouchersRPC.addVoucherCodes, scope: .writeVouchers) {
            (request: AddVoucherCodesRequest, principal, run, writer: StreamWriter<AddVoucherCodesResponse>) in
            let (projectID, poolID) = try Self.pool(request.projectId, request.poolId, principal)
            let result = try await VoucherCodeAddition(
                book: book, projectID: projectID, poolID: poolID, request: request, run: run, chunk: importChunk
            ).perform { processed, total in
                try await writer.send(
                    AddVoucherCodesResponse(
                        progress: BulkProgress(processed: Int64(processed), total: Int64(total))))
            }
            return AddVoucherCodesResponse(result: result)
        }
        registrar.write(VouchersRPC.assignVoucherCode, scope: .writeVouchers) { (request: AssignVoucherCodeRequest, call) in
            let assignment = try Self.assignment(request, call.principal)
            let respond: @Sendable (VoucherAssignmentOutcome) throws -> AssignVoucherCodeResponse = {
                Self.assigned(try VoucherBook.answer(assignment, $0), to: assignment)
            }
            return try respond(try await book.assign(assignment, options: call.write(answering: respond)))
        }
        registrar.write(VouchersRPC.redeemVoucherCode, scope: .writeVouchers) { (request: RedeemVoucherCodeRequest, call) in
            let text = try Validate.codeText(request.code, field: "code")
            guard let projectID = VoucherBook.reachable(request.projectId, call.principal) else {
                throw ServiceError.voucherCodeNotFound(text)
            }
            let respond: @Sendable (VoucherRedemptionOutcome) throws -> RedeemVoucherCodeResponse = {
                let code = try VoucherBook.redeemed($0, text: text)
                return RedeemVoucherCodeResponse(
                    code: code.code, status: VoucherCodeStatus(code.status), redeemedTime: code.redeemedAt?.timestamp)
            }
            return try respond(try await book.redeem(projectID: projectID, code: text, options: call.write(answering: respond)))
        }
    }

    // MARK: Checks

    private static func assignment(_ request: AssignVoucherCodeRequest, _ principal: Principal) throws -> VoucherAssignment {
        let (projectID, poolID) = try pool(request.projectId, request.poolId, principal)
        let customerID = try Validate.nonEmpty(request.customerId, field: "customer_id")
        let usedBy = try request.usedBy.flatMap { $0.isEmpty ? nil : try Validate.nonEmpty($0, field: "used_by") } ?? ""
        return VoucherAssignment(projectID: projectID, poolID: poolID, customerID: customerID, usedBy: usedBy, at: .now())
    }

    private static func assigned(
        _ outcome: (code: VoucherCodeRecord, alreadyAssigned: Bool), to assignment: VoucherAssignment
    ) -> AssignVoucherCodeResponse {
        let code = outcome.code
        return AssignVoucherCodeResponse(
            code: code.code, status: VoucherCodeStatus(code.status), assignedTime: code.assignedAt?.timestamp,
            customerId: code.customerID ?? assignment.customerID, usedBy: code.usedBy,
            alreadyAssigned: outcome.alreadyAssigned)
    }

    /// The project and pool a pool-level call names.
    static func pool(_ projectID: String, _ poolID: String, _ principal: Principal) throws -> (String, String) {
        let poolID = try Validate.nonEmpty(poolID, field: "pool_id")
        return (try VoucherBook.poolProject(projectID, poolID: poolID, principal), poolID)
    }

    /// `count`: absent is 20; otherwise 1…1000.
    static func pageSize(_ count: Int32?) throws -> Int32 {
        guard let count else { return defaultPageSize }
        guard (1...maxPageSize).contains(count) else {
            throw ServiceError.invalidArgument(field: "count", "count must be between 1 and \(maxPageSize) (got \(count))")
        }
        return count
    }

    /// Absent or UNSPECIFIED: every status.
    static func status(_ status: VoucherCodeStatus?) throws -> VoucherStatus? {
        guard let status, status != .unspecified else { return nil }
        guard let record = status.record else {
            throw ServiceError.invalidArgument(field: "status", "status must be AVAILABLE, ASSIGNED or REDEEMED")
        }
        return record
    }
}
