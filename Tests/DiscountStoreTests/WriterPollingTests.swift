import Testing

@testable import DiscountStoreSQLite

/// When the SQLite writer polls for its next job instead of sleeping.
@Suite struct WriterPollingTests {
    /// `shouldPoll` outside `#expect`, which cannot take a mutating call.
    private func chance(_ polling: inout WriterPolling, jobs: Int) -> Bool {
        polling.shouldPoll(afterTransactionOf: jobs)
    }

    /// The chances `polling` passes up before it polls again.
    private func skipped(_ polling: inout WriterPolling) -> Int {
        var skipped = 0
        while !polling.shouldPoll(afterTransactionOf: 1) { skipped += 1 }
        return skipped
    }

    @Test func pollsAfterEveryOneJobTransactionWhileItsPollsCatchJobs() {
        var polling = WriterPolling()
        for _ in 0..<100 {
            #expect(chance(&polling, jobs: 1))
            polling.polled(caughtJob: true)
        }
    }

    @Test func neverPollsAfterABatch() {
        var polling = WriterPolling()
        #expect(!chance(&polling, jobs: 2))
        #expect(!chance(&polling, jobs: 256))
        #expect(chance(&polling, jobs: 1))
    }

    @Test func missesSkipTwiceAsManyChancesEachTimeUpToTheCap() {
        var polling = WriterPolling()
        #expect(chance(&polling, jobs: 1))
        var gaps: [Int] = []
        for _ in 0..<9 {
            polling.polled(caughtJob: false)
            gaps.append(skipped(&polling))
        }
        #expect(gaps == [1, 2, 4, 8, 16, 32, 64, 64, 64])
    }

    @Test func aCaughtJobEndsTheBackOff() {
        var polling = WriterPolling()
        #expect(chance(&polling, jobs: 1))
        for _ in 0..<4 {
            polling.polled(caughtJob: false)
            _ = skipped(&polling)
        }
        polling.polled(caughtJob: true)
        #expect(chance(&polling, jobs: 1))
        polling.polled(caughtJob: false)
        #expect(skipped(&polling) == 1)
    }

    /// Batches are no chance to poll, so they do not use up the skips either.
    @Test func batchesDoNotCountAsSkippedChances() {
        var polling = WriterPolling()
        #expect(chance(&polling, jobs: 1))
        polling.polled(caughtJob: false)
        #expect(!chance(&polling, jobs: 64))
        #expect(!chance(&polling, jobs: 1))
        #expect(chance(&polling, jobs: 1))
    }
}
