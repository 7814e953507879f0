import DiscountClient
import Foundation
import TTRPC
import Testing

/// discountd.v1.Vouchers against the real daemon, through the client library.
@Suite struct VouchersTests {
    @Test func tenThousandCodesGoToSixtyFourConcurrentCallersExactlyOnce() async throws {
        try await withTestDaemon { daemon in
            let owner = try await daemon.client(.init(timeout: .seconds(60)))
            let pool = try await owner.makePool(generated: 10_000)
            #expect(try await owner.getVoucherPool(poolID: pool.id).available == 10_000)

            // 64 callers over 4 connections, each taking codes until the pool runs dry.
            var clients: [DiscountClient] = []
            for _ in 0..<4 { clients.append(try await daemon.client(.init(timeout: .seconds(60)))) }
            let connections = clients
            let started = ContinuousClock.now
            let perCaller = await concurrently(64) { caller -> [String] in
                var codes: [String] = []
                let client = connections[caller % connections.count]
                for call in 0..<(10_000 / 64 + 1) {
                    let index = call * 64 + caller
                    guard index < 10_000 else { break }
                    let response = try await client.assignVoucherCode(poolID: pool.id, customerID: "customer-\(index)")
                    #expect(response.status == .assigned && !response.alreadyAssigned)
                    codes.append(response.code)
                }
                return codes
            }
            let elapsed = ContinuousClock.now - started
            let codes = try perCaller.flatMap { try $0.get() }
            let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
            print("AssignVoucherCode: 10000 durable assignments by 64 callers in \(elapsed) — \(Int(10_000 / seconds)) calls/s")
            #expect(codes.count == 10_000)
            #expect(Set(codes).count == 10_000, "no code went to two customers")

            let drained = try await owner.getVoucherPool(poolID: pool.id)
            #expect(drained.total == 10_000 && drained.available == 0 && drained.assigned == 10_000)
            await expectRPCError(.resourceExhausted, reason: "POOL_EXHAUSTED") {
                try await owner.assignVoucherCode(poolID: pool.id, customerID: "one-too-many")
            }
            // A customer who already holds a code still gets it back from an empty pool.
            let again = try await owner.assignVoucherCode(poolID: pool.id, customerID: "customer-17")
            #expect(again.alreadyAssigned && codes.contains(again.code))
            for client in clients + [owner] { await client.close() }
        }
    }

    @Test func pagesCoverThePoolOnceAndFiltersAgreeWithMatched() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client(.init(timeout: .seconds(60)))
            let pool = try await client.makePool(generated: 5_000)
            for index in 0..<700 {
                _ = try await client.assignVoucherCode(
                    poolID: pool.id, customerID: "c\(index)", usedBy: index < 100 ? "spring" : nil)
            }
            let assigned = try await client.pageThrough(poolID: pool.id, status: .assigned).codes
            // Every other one of the first 500: redeemed and assigned codes interleave.
            for code in stride(from: 0, to: 500, by: 2).map({ assigned[$0] }) {
                _ = try await client.redeemVoucherCode(code: code.code)
            }

            let all = try await client.pageThrough(poolID: pool.id, count: 1000)
            #expect(all.codes.count == 5_000 && all.matched == 5_000)
            #expect(Set(all.codes.map(\.code)).count == 5_000, "no code repeated")
            // Odd page sizes cover it just the same.
            let odd = try await client.pageThrough(poolID: pool.id, count: 333)
            #expect(odd.codes.map(\.code) == all.codes.map(\.code))

            var byStatus: [VoucherCodeStatus: Int] = [:]
            for status: VoucherCodeStatus in [.available, .assigned, .redeemed] {
                let filtered = try await client.pageThrough(poolID: pool.id, status: status, count: 128)
                #expect(filtered.codes.allSatisfy { $0.status == status })
                #expect(Int64(filtered.codes.count) == filtered.matched, "\(status): data agrees with matched")
                byStatus[status] = filtered.codes.count
                let exported = try await client.exportAll(poolID: pool.id, status: status)
                #expect(exported.codes == filtered.codes)
            }
            #expect(byStatus == [.available: 4_300, .assigned: 450, .redeemed: 250])
            #expect(all.codes.filter { $0.status == .redeemed }.allSatisfy { $0.redeemedTime != nil && $0.assignedTime != nil })
            #expect(all.codes.filter { $0.status == .available }.allSatisfy { $0.assignedTime == nil && $0.redeemedTime == nil })

            let exported = try await client.exportAll(poolID: pool.id)
            #expect(exported.codes == all.codes && exported.messages == 5)

            let summary = try await client.getVoucherPool(poolID: pool.id)
            #expect(summary.total == 5_000 && summary.available == 4_300 && summary.assigned == 450 && summary.redeemed == 250)
            #expect(summary.usedBy == ["spring"] && summary.companyId == "default" && summary.name == pool.name)
            let listed = try await client.listVoucherPools()
            #expect(listed.data == [VoucherPool(id: pool.id, name: pool.name, total: 5_000, available: 4_300)])
            await client.close()
        }
    }

    @Test func assignmentIsStablePerCustomerAndUsedBy() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let pool = try await client.makePool()
            let added = try await client.addVoucherCodes(
                AddVoucherCodesRequest(poolId: pool.id, codes: ["A-1", "A-2", "a-1", "A-3", " A-4 "]))
            #expect(added.added == 4 && added.duplicates == 1)
            let other = try await client.makePool()
            let overlap = try await client.addVoucherCodes(AddVoucherCodesRequest(poolId: other.id, codes: ["A-2", "B-1"]))
            #expect(overlap.added == 1 && overlap.duplicates == 1, "a code lives in one pool of the project only")

            let first = try await client.assignVoucherCode(poolID: pool.id, customerID: "ann", usedBy: "spring")
            #expect(first.code == "A-1" && !first.alreadyAssigned && first.usedBy == "spring" && first.assignedTime != nil)
            let repeated = try await client.assignVoucherCode(poolID: pool.id, customerID: "ann", usedBy: "spring")
            #expect(repeated.code == "A-1" && repeated.alreadyAssigned && repeated.assignedTime == first.assignedTime)
            let otherPurpose = try await client.assignVoucherCode(poolID: pool.id, customerID: "ann", usedBy: "autumn")
            #expect(otherPurpose.code == "A-2" && !otherPurpose.alreadyAssigned)
            let noPurpose = try await client.assignVoucherCode(poolID: pool.id, customerID: "ann")
            #expect(noPurpose.code == "A-3" && noPurpose.usedBy == nil)

            let redeemed = try await client.redeemVoucherCode(code: "a-1")
            #expect(redeemed.code == "A-1" && redeemed.status == .redeemed && redeemed.redeemedTime != nil)
            let summary = try await client.getVoucherPool(poolID: pool.id)
            #expect(summary.usedBy == ["autumn", "spring"])
            #expect(summary.total == 4 && summary.available == 1 && summary.assigned == 2 && summary.redeemed == 1)

            let deleted = try await client.deleteVoucherPool(poolID: pool.id)
            #expect(deleted.deletedCodes == 4)
            await expectRPCError(.notFound, reason: "VOUCHER_POOL_NOT_FOUND") { try await client.getVoucherPool(poolID: pool.id) }
            await client.close()
        }
    }

    @Test func everyErrorNamesItsCause() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let pool = try await client.makePool(name: "errors")
            _ = try await client.addVoucherCodes(AddVoucherCodesRequest(poolId: pool.id, codes: ["E-1", "E-2"]))

            for count: Int32 in [0, -1, 1001] {
                await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "count", messageContains: ["count"]) {
                    try await client.listVoucherCodes(ListVoucherCodesRequest(poolId: pool.id, count: count))
                }
            }
            #expect(
                try await client.listVoucherCodes(ListVoucherCodesRequest(poolId: pool.id)).limit == 20, "count defaults to 20")
            #expect(try await client.listVoucherCodes(ListVoucherCodesRequest(poolId: pool.id, count: 1000)).data.count == 2)
            await expectRPCError(.notFound, reason: "VOUCHER_POOL_NOT_FOUND", field: "pool_id", messageContains: ["no-such-pool"])
            {
                try await client.listVoucherCodes(ListVoucherCodesRequest(poolId: "no-such-pool"))
            }
            await expectRPCError(.notFound, reason: "VOUCHER_POOL_NOT_FOUND") {
                try await client.assignVoucherCode(poolID: "no-such-pool", customerID: "ann")
            }
            await expectRPCError(.invalidArgument, field: "customer_id") {
                try await client.assignVoucherCode(poolID: pool.id, customerID: " ")
            }
            await expectRPCError(.alreadyExists, reason: "POOL_NAME_TAKEN", field: "name") {
                try await client.createVoucherPool(name: "errors")
            }
            await expectRPCError(.invalidArgument, field: "codes[1]") {
                try await client.addVoucherCodes(AddVoucherCodesRequest(poolId: pool.id, codes: ["OK", " "]))
            }
            await expectRPCError(.invalidArgument, field: "codes") {
                try await client.addVoucherCodes(AddVoucherCodesRequest(poolId: pool.id))
            }

            _ = try await client.assignVoucherCode(poolID: pool.id, customerID: "ann")
            _ = try await client.redeemVoucherCode(code: "E-1")
            await expectRPCError(.failedPrecondition, reason: "ALREADY_REDEEMED", messageContains: ["E-1"]) {
                try await client.redeemVoucherCode(code: "E-1")
            }
            await expectRPCError(.failedPrecondition, reason: "VOUCHER_NOT_ASSIGNED") {
                try await client.redeemVoucherCode(code: "E-2")
            }
            await expectRPCError(.notFound, reason: "VOUCHER_CODE_NOT_FOUND", messageContains: ["NOPE"]) {
                try await client.redeemVoucherCode(code: "NOPE")
            }
            await client.close()
        }
    }

    @Test func tokensReachOnlyTheirOwnProjectsPools() async throws {
        try await withTestDaemon { daemon in
            let owner = try await daemon.client()
            let ownerPool = try await owner.makePool(generated: 10)
            let (acme, _, acmeClient) = try await projectClient(
                daemon, owner: owner, scopes: ["read_vouchers", "write_vouchers"])
            let (_, _, readOnly) = try await projectClient(daemon, owner: owner, scopes: ["read_vouchers"])
            let (_, _, noVouchers) = try await projectClient(daemon, owner: owner, scopes: ["read_price_rules"])

            let acmePool = try await acmeClient.makePool(projectID: acme.id, generated: 5)
            #expect(try await acmeClient.listProjects().projects.map(\.id) == [acme.id])
            #expect(try await owner.listProjects().projects.count >= 4, "the default project's owner sees every project")
            #expect(try await acmeClient.listVoucherPools(projectID: acme.id).data.map(\.id) == [acmePool.id])
            #expect(
                try await acmeClient.listVoucherPools().data.map(\.id) == [acmePool.id], "empty project_id is the token's own")
            // The default project's owner may reach acme's pool.
            #expect(try await owner.getVoucherPool(projectID: acme.id, poolID: acmePool.id).companyId == acme.id)

            // Another project's pool is not found, not forbidden.
            await expectRPCError(.notFound, reason: "VOUCHER_POOL_NOT_FOUND") {
                try await acmeClient.getVoucherPool(projectID: "default", poolID: ownerPool.id)
            }
            await expectRPCError(.notFound, reason: "VOUCHER_POOL_NOT_FOUND") {
                try await acmeClient.assignVoucherCode(projectID: "default", poolID: ownerPool.id, customerID: "x")
            }
            await expectRPCError(.notFound, reason: "VOUCHER_POOL_NOT_FOUND", "the pool id under the token's own project") {
                try await acmeClient.getVoucherPool(projectID: acme.id, poolID: ownerPool.id)
            }
            await expectRPCError(.notFound, reason: "PROJECT_NOT_FOUND") {
                try await acmeClient.listVoucherPools(projectID: "default")
            }
            await expectRPCError(.notFound, reason: "VOUCHER_CODE_NOT_FOUND") {
                try await acmeClient.redeemVoucherCode(projectID: "default", code: "V-ANY")
            }
            #expect(try await owner.getVoucherPool(poolID: ownerPool.id).available == 10, "nothing leaked or changed")

            // Scopes.
            _ = try await readOnly.listVoucherPools()
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: ["write_vouchers"]) {
                try await readOnly.createVoucherPool(name: "nope")
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: ["read_vouchers"]) {
                try await noVouchers.listVoucherPools()
            }
            for client in [owner, acmeClient, readOnly, noVouchers] { await client.close() }
        }
    }

    @Test func exportIsAuthorizedBeforeItsRequestIsDecoded() async throws {
        try await withTestDaemon { daemon in
            let owner = try await daemon.client()
            let (_, token, _) = try await projectClient(daemon, owner: owner, scopes: ["read_price_rules"])
            let raw = try await TTRPCClient.connect(socketPath: daemon.socketPath)
            var metadata = Metadata()
            metadata.add("authorization", "Bearer \(token.token)")
            let method = VouchersRPC.exportVoucherCodes
            // Malformed bytes from a caller without read_vouchers: the scope
            // is what it lacks, not a well-formed request.
            await #expect {
                for try await _ in raw.serverStream(
                    service: method.service, method: method.name, payload: [0xFF, 0xFF, 0xFF], metadata: metadata)
                {}
            } throws: { error in
                (error as? RPCError)?.code == .permissionDenied && (error as? RPCError)?.detail?.reason == "SCOPE_MISSING"
            }
            await raw.close()
            await owner.close()
        }
    }

    @Test func acknowledgedAssignmentsSurviveSIGKILL() async throws {
        let first = try await DaemonProcess.start()
        defer { first.remove() }
        let client = try await first.client(.init(timeout: .seconds(60)))
        let pool = try await client.makePool(generated: 2_000)
        let results = await concurrently(64) { index in
            try await client.assignVoucherCode(poolID: pool.id, customerID: "c\(index)", usedBy: "u0")
        }
        var acknowledged: [String: String] = [:]
        for result in results { if let value = result.value { acknowledged[value.customerId] = value.code } }
        for index in 64..<500 {
            let response = try await client.assignVoucherCode(poolID: pool.id, customerID: "c\(index)", usedBy: "u0")
            acknowledged[response.customerId] = response.code
        }
        let redeemed = try await client.redeemVoucherCode(code: acknowledged["c3"]!)
        await client.close()
        first.signal(SIGKILL)
        _ = await first.wait()

        let second = try DaemonProcess(directory: first.directory)
        try await second.start()
        let after = try await second.client(.init(timeout: .seconds(60)))
        let summary = try await after.getVoucherPool(poolID: pool.id)
        #expect(summary.total == 2_000 && summary.available == 1_500 && summary.assigned == 499 && summary.redeemed == 1)
        for (customer, code) in acknowledged {
            let again = try await after.assignVoucherCode(poolID: pool.id, customerID: customer, usedBy: "u0")
            #expect(again.alreadyAssigned && again.code == code, "\(customer) keeps \(code)")
        }
        await expectRPCError(.failedPrecondition, reason: "ALREADY_REDEEMED") {
            try await after.redeemVoucherCode(code: redeemed.code)
        }
        let codes = try await after.pageThrough(poolID: pool.id)
        #expect(codes.codes.count == 2_000 && codes.codes.filter { $0.status != .available }.count == 500)
        await after.close()
        #expect(await second.stop() == 0)
    }
}

@Suite struct VoucherImportTests {
    @Test func bigImportsStreamProgressAndCountDuplicates() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client(.init(timeout: .seconds(60)))
            let pool = try await client.makePool()
            let codes = (0..<60_000).map { "IMP-\($0)" } + ["IMP-7", "imp-8"]
            var progress: [BulkProgress] = []
            let result = try await client.addVoucherCodes(AddVoucherCodesRequest(poolId: pool.id, codes: codes)) {
                progress.append($0)
            }
            #expect(result.added == 60_000 && result.duplicates == 2)
            #expect(progress.map(\.processed) == [25_000, 50_000, 60_002])
            #expect(progress.allSatisfy { $0.total == 60_002 })
            let summary = try await client.getVoucherPool(poolID: pool.id)
            #expect(summary.total == 60_000 && summary.available == 60_000)
            // Deep pages come back in pool order.
            let deep = try await client.listVoucherCodes(ListVoucherCodesRequest(poolId: pool.id, skip: 59_990, count: 1000))
            #expect(deep.data.map(\.code) == (59_990..<60_000).map { "IMP-\($0)" })
            await client.close()
        }
    }
}
