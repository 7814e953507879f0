import DiscountClient
import DiscountTestSupport
import Foundation
import Testing

/// Bulk operations and shutdown: each progress message counts committed
/// work; a shutdown stops the operation at its next chunk with an answer
/// saying how far it got; a retry with the same idempotency-key goes on from
/// there and never stores a second batch; a retry after the end replays it.
// Serialized: each moves hundreds of thousands of codes through the
// in-process daemon, which shares the test process's two cores with every suite.
@Suite(.serialized) struct BulkResumeTests {
    /// The daemons here store bulk operations in chunks of this many codes
    /// (the real daemon: 50,000): the same paths, a tenth of the work.
    static let chunk = 5_000
    static var options: InProcessDaemon.Options {
        var options = InProcessDaemon.Options()
        options.bulkChunk = chunk
        return options
    }

    @Test func aBatchStoppedByShutdownResumesUnderItsKey() async throws {
        let first = try await InProcessDaemon.start(Self.options)
        let directory = first.directory
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = try await first.client()
        let rule = try await client.makeRule()
        let request = BatchCreateDiscountCodesRequest(
            priceRuleId: rule.id, generator: .init(count: Int32(4 * Self.chunk), prefix: "R-", length: 10))

        var lastProgress: Int64 = 0
        let stopped = await expectRPCError(.unavailable, reason: "SHUTTING_DOWN", "a batch during shutdown") {
            try await client.batchCreateDiscountCodes(request, idempotencyKey: "bulk-1", timeout: .seconds(120)) { progress in
                lastProgress = progress.processed
                first.beginShutdown()
            }
        }
        let committed = try await first.store.countDiscountCodes(projectID: "default")
        #expect(committed >= Int64(Self.chunk) && committed < 4 * Int64(Self.chunk))
        #expect(committed == lastProgress, "progress counts committed codes only")
        #expect(stopped?.message.contains("\(committed) of \(4 * Self.chunk)") == true, "\(stopped?.message ?? "")")
        await client.close()
        await first.stop(keepingData: true)

        // Restarted: the same key goes on from the checkpoint.
        let second = try await InProcessDaemon.start(Self.options, directory: directory)
        let again = try await second.client()
        var firstResumed: Int64?
        let result = try await again.batchCreateDiscountCodes(request, idempotencyKey: "bulk-1", timeout: .seconds(120)) {
            firstResumed = firstResumed ?? $0.processed
        }
        #expect(result.created == 4 * Int64(Self.chunk))
        #expect((firstResumed ?? 0) > committed, "progress goes on from what was committed")
        #expect(try await second.store.countDiscountCodes(projectID: "default") == 4 * Int64(Self.chunk))

        // Done: the same key replays the result and stores nothing more.
        let replay = try await again.batchCreateDiscountCodes(request, idempotencyKey: "bulk-1") { _ in }
        #expect(replay == result)
        #expect(try await second.store.countDiscountCodes(projectID: "default") == 4 * Int64(Self.chunk))
        await expectRPCError(.failedPrecondition, reason: "IDEMPOTENCY_KEY_REUSED", "the key with another request") {
            try await again.batchCreateDiscountCodes(
                .init(priceRuleId: rule.id, generator: .init(count: 10, prefix: "Z-")), idempotencyKey: "bulk-1"
            ) { _ in }
        }
        await again.close()
        await second.stop()
    }

    @Test func aListedBatchResumesWithItsRejectsCountedOnce() async throws {
        let first = try await InProcessDaemon.start(Self.options)
        let directory = first.directory
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = try await first.client()
        let rule = try await client.makeRule()
        // Three chunks: the raise after the first progress is seen before the
        // third at the latest (the second takes a while to store).
        // Taken before the batch, in its last chunk.
        _ = try await client.createDiscountCode(priceRuleID: rule.id, code: "L-\(2 * Self.chunk + 4)")
        var codes = (0..<(3 * Self.chunk)).map { "L-\($0)" }
        codes[10] = "bad\u{7}code"
        codes[2 * Self.chunk + 1] = "L-5"  // repeats the first chunk: a duplicate across the stop
        let request = BatchCreateDiscountCodesRequest(priceRuleId: rule.id, codes: codes)
        await expectRPCError(.unavailable, reason: "SHUTTING_DOWN") {
            try await client.batchCreateDiscountCodes(request, idempotencyKey: "list-1", timeout: .seconds(120)) { _ in
                first.beginShutdown()
            }
        }
        await client.close()
        await first.stop(keepingData: true)

        let second = try await InProcessDaemon.start(Self.options, directory: directory)
        let again = try await second.client()
        let result = try await again.batchCreateDiscountCodes(request, idempotencyKey: "list-1", timeout: .seconds(120)) { _ in }
        #expect(result.created == Int64(3 * Self.chunk - 3))
        #expect(result.rejectedCount == 3)
        #expect(Set(result.rejected.map(\.reason)) == ["INVALID_CODE", "CODE_TAKEN", "DUPLICATE_IN_REQUEST"])
        #expect(try await second.store.countDiscountCodes(projectID: "default") == Int64(3 * Self.chunk - 3 + 1))
        await again.close()
        await second.stop()
    }

    @Test func voucherImportsResumeToo() async throws {
        let first = try await InProcessDaemon.start(Self.options)
        let directory = first.directory
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = try await first.client()
        let pool = try #require(try await client.createVoucherPool(name: "resumable").pool)
        let request = AddVoucherCodesRequest(
            poolId: pool.id, generator: .init(count: Int32(4 * Self.chunk), prefix: "V-", length: 10))
        await expectRPCError(.unavailable, reason: "SHUTTING_DOWN") {
            try await client.addVoucherCodes(request, idempotencyKey: "v-1", timeout: .seconds(120)) { _ in
                first.beginShutdown()
            }
        }
        await client.close()
        await first.stop(keepingData: true)

        let second = try await InProcessDaemon.start(Self.options, directory: directory)
        let again = try await second.client()
        let result = try await again.addVoucherCodes(request, idempotencyKey: "v-1", timeout: .seconds(120)) { _ in }
        #expect(result.added == Int64(4 * Self.chunk))
        #expect(try await again.getVoucherPool(poolID: pool.id).total == Int64(4 * Self.chunk))
        await again.close()
        await second.stop()
    }
}
