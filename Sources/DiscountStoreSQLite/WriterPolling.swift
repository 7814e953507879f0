/// Whether the writer thread polls for its next job before it sleeps.
///
/// A lone write's caller usually sends its next one within a round trip, so
/// waiting for it on the CPU for a moment, instead of asleep, spares the
/// thread a wake-up on the write's path (a quarter of a sequential write's
/// latency here; BENCHMARKS.md, sessions 14 and 15). Polling only pays when
/// the next job comes: each poll that caught nothing makes the thread skip
/// the next 1, 2, 4 … 64 chances, so writes far apart cost next to no
/// spinning; a poll that catches a job polls at every chance again. Only a
/// one-job transaction is a chance: under load the queue is seldom empty, and
/// polling beside busy event loops would take their CPU.
struct WriterPolling {
    static let maxSkipped = 64

    private var toSkip = 0
    private var skipAfterMiss = 0

    /// After a transaction of `jobs` jobs: poll now?
    mutating func shouldPoll(afterTransactionOf jobs: Int) -> Bool {
        guard jobs == 1 else { return false }
        guard toSkip == 0 else {
            toSkip -= 1
            return false
        }
        return true
    }

    /// What the poll found.
    mutating func polled(caughtJob: Bool) {
        if caughtJob {
            skipAfterMiss = 0
        } else {
            skipAfterMiss = min(max(1, skipAfterMiss * 2), Self.maxSkipped)
            toSkip = skipAfterMiss
        }
    }
}
