import DiscountClient
import Foundation
import Testing

// Helpers for the Vouchers integration tests.

extension DiscountClient {
    /// Creates a pool (a unique name unless told) and returns it.
    func makePool(projectID: String = "", name: String = "pool-\(UUID().uuidString.prefix(8))") async throws -> VoucherPool {
        try #require(try await createVoucherPool(projectID: projectID, name: name).pool)
    }

    /// Creates a pool holding `count` generated codes.
    func makePool(projectID: String = "", generated count: Int32, prefix: String = "V-") async throws -> VoucherPool {
        let pool = try await makePool(projectID: projectID)
        let result = try await addVoucherCodes(
            AddVoucherCodesRequest(
                projectId: projectID, poolId: pool.id, generator: CodeGenerator(count: count, prefix: prefix, length: 10)),
            timeout: .seconds(120))
        #expect(result.added == Int64(count))
        return pool
    }

    /// Every code of a pool through ListVoucherCodes, `count` at a time.
    func pageThrough(
        projectID: String = "", poolID: String, status: VoucherCodeStatus? = nil, count: Int32 = 1000
    ) async throws -> (codes: [VoucherCode], matched: Int64) {
        var codes: [VoucherCode] = []
        var matched: Int64 = -1
        while true {
            let page = try await listVoucherCodes(
                ListVoucherCodesRequest(
                    projectId: projectID, poolId: poolID, skip: Int32(codes.count), count: count, status: status))
            #expect(page.skip == Int32(codes.count) && page.limit == count && !page.matchedLimited)
            matched = page.matched
            if page.data.isEmpty { break }
            codes += page.data
            if codes.count > 10_000_000 { throw TestFailure("pagination does not end") }
        }
        return (codes, matched)
    }

    /// Every code of a pool through ExportVoucherCodes, and how many messages carried them.
    func exportAll(
        projectID: String = "", poolID: String, status: VoucherCodeStatus? = nil
    ) async throws -> (codes: [VoucherCode], messages: Int) {
        var codes: [VoucherCode] = []
        var messages = 0
        for try await chunk in exportVoucherCodes(
            ExportVoucherCodesRequest(projectId: projectID, poolId: poolID, status: status), timeout: .seconds(120))
        {
            codes += chunk.codes
            messages += 1
        }
        return (codes, messages)
    }
}
