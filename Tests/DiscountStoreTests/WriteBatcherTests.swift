import DiscountStore
import Foundation
import Synchronization
import Testing

@testable import DiscountStorePostgres

/// PostgreSQL's group commit, without a server: a write that never comes back
/// (a wait for a pooled connection after a restart) must not hold its writer.
@Suite struct WriteBatcherTests {
    /// A write of `[Int]` that echoes its inputs, except a batch holding a
    /// negative number: that one waits until it is cancelled, like a wait for
    /// a connection the pool never hands over.
    static func echoOrHang(_ inputs: [Int]) async throws -> [Result<Int, any Error>] {
        if inputs.contains(where: { $0 < 0 }) {
            try await Task.sleep(for: .seconds(3600))
        }
        return inputs.map { .success($0) }
    }

    /// Submits `input` and returns its outcome, or nil when none came within
    /// 30 s (a bound for a hang, not a timing: the answer is due in well under
    /// a second, and the parallel suite can be slow).
    static func outcome(
        _ batcher: WriteBatcher<Int, Int>, _ input: Int, deadline: WriteDeadline = .never
    ) async -> Result<Int, any Error>? {
        let answer = Mutex<Result<Int, any Error>?>(nil)
        batcher.submit(input, deadline: deadline) { result in answer.withLock { $0 = result } }
        let giveUp = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < giveUp {
            if let result = answer.withLock({ $0 }) { return result }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    static func storeError(_ result: Result<Int, any Error>?) -> StoreError? {
        guard case .failure(let error) = result else { return nil }
        return error as? StoreError
    }

    @Test func aBatchStillWaitingAtItsCallsDeadlineIsGivenUpAndTheWriterGoesOn() async throws {
        let batcher = WriteBatcher<Int, Int>(
            maximumBatch: 8, concurrency: 1, watchInterval: .milliseconds(10), write: Self.echoOrHang)
        let soon = WriteDeadline(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds + 200_000_000)
        #expect(Self.storeError(await Self.outcome(batcher, -1, deadline: soon)) == .deadlineExceeded)
        // The one writer is free again: the next call is written.
        #expect(try await Self.outcome(batcher, 7)?.get() == 7)
    }

    @Test func whileTheStoreRefusesQueuedAndNewCallsFailAtOnceWithItsReason() async throws {
        let outage = Mutex<String?>(nil)
        let batcher = WriteBatcher<Int, Int>(
            maximumBatch: 8, concurrency: 1, refusal: { outage.withLock { $0 }.map { StoreError.unavailable($0) } },
            watchInterval: .milliseconds(10), write: Self.echoOrHang)
        // A call whose batch hangs (no deadline), then one queued behind it.
        let hanging = Task { await Self.outcome(batcher, -1) }
        try? await Task.sleep(for: .milliseconds(100))
        let queued = Task { await Self.outcome(batcher, 2) }
        try? await Task.sleep(for: .milliseconds(100))
        outage.withLock { $0 = "server gone" }
        #expect(Self.storeError(await hanging.value) == .unavailable("server gone"))
        #expect(Self.storeError(await queued.value) == .unavailable("server gone"))
        #expect(Self.storeError(await Self.outcome(batcher, 3)) == .unavailable("server gone"))
        outage.withLock { $0 = nil }
        #expect(try await Self.outcome(batcher, 4)?.get() == 4)
    }

    @Test func aBatchThatNeverEndsNotEvenCancelledIsGivenUpAndTheWriterGoesOn() async throws {
        let unanswered = AbandoningTests.Unanswered()
        defer { unanswered.releaseAll() }
        let batcher = WriteBatcher<Int, Int>(maximumBatch: 8, concurrency: 1, watchInterval: .milliseconds(10)) { inputs in
            if inputs.contains(where: { $0 < 0 }) { await unanswered.wait() }
            return inputs.map { .success($0) }
        }
        let soon = WriteDeadline(uptimeNanoseconds: DispatchTime.now().uptimeNanoseconds + 200_000_000)
        #expect(Self.storeError(await Self.outcome(batcher, -1, deadline: soon)) == .deadlineExceeded)
        #expect(try await Self.outcome(batcher, 7)?.get() == 7)
    }

    @Test func aWriteThatFailsByItselfKeepsItsOwnError() async {
        struct Refused: Error {}
        let batcher = WriteBatcher<Int, Int>(maximumBatch: 8, concurrency: 1) { _ in throw Refused() }
        guard case .failure(let error) = await Self.outcome(batcher, 1) else {
            Issue.record("the call got no failure")
            return
        }
        #expect(error is Refused)
    }
}

/// `abandoning`, alone: what the batcher and the doorbell's heartbeat stand on.
@Suite struct AbandoningTests {
    /// Keeps continuations nobody resumes, as postgres-nio keeps a query
    /// written after its connection closed.
    final class Unanswered: Sendable {
        private let parked = Mutex<[UnsafeContinuation<Void, Never>]>([])

        func wait() async {
            await withUnsafeContinuation { continuation in parked.withLock { $0.append(continuation) } }
        }

        func releaseAll() {
            for continuation in parked.withLock({ $0 }) { continuation.resume() }
        }
    }

    struct GaveUp: Error {}

    @Test func aBodyThatNeverEndsNotEvenCancelledIsLeftBehind() async throws {
        let unanswered = Unanswered()
        defer { unanswered.releaseAll() }
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        Task {
            do {
                try await abandoning(
                    grace: .milliseconds(50),
                    watch: {
                        try? await Task.sleep(for: .milliseconds(100))
                        return GaveUp()
                    }, { await unanswered.wait() })
                outcome.withLock { $0 = .success(()) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
        }
        // A bound for a hang (without `abandoning` this never returns), not a timing.
        let giveUp = ContinuousClock.now + .seconds(30)
        while outcome.withLock({ $0 }) == nil, ContinuousClock.now < giveUp {
            try await Task.sleep(for: .milliseconds(10))
        }
        guard case .failure(let error) = outcome.withLock({ $0 }) else {
            Issue.record("abandoning did not give the body up")
            return
        }
        #expect(error is GaveUp)
    }

    @Test func aBodyThatEndsFirstGivesItsAnswerAndStopsTheWatch() async throws {
        let value = try await abandoning(
            watch: {
                try? await Task.sleep(for: .seconds(3600))
                return GaveUp()
            }, { 42 })
        #expect(value == 42)
    }

    @Test func cancellingTheCallerCancelsTheBody() async throws {
        let task = Task {
            try await abandoning(
                watch: {
                    try? await Task.sleep(for: .seconds(3600))
                    return GaveUp()
                }, { try await Task.sleep(for: .seconds(3600)) })
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
