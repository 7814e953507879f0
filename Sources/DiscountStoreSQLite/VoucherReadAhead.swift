/// Available voucher codes an assignment read ahead, per pool, for the
/// assignments after it: a batch of assignments to one pool reads its
/// candidates in a few runs (1, 2, 4 … 64 codes) instead of one index
/// search per call.
///
/// Runs outlive the transaction that read them: codes only ever stop being
/// available, or are added after the highest, so what is left of a run is
/// still the pool's lowest. Except after a rollback: a code taken by a job
/// that was undone is available again, so the runs are forgotten then (the
/// writer reports its transactions). And they are only hints: a candidate
/// is taken only if it is still available (`take` checks its status), so a
/// run left over from a deleted pool assigns nothing. Writer thread only.
final class VoucherReadAhead {
    struct Pool: Hashable {
        let projectID: String
        let poolID: String
    }

    struct Candidate: Equatable {
        let key: Int64
        let sequence: Int64
        let code: String
    }

    /// The longest run read at once.
    static let maxRun = 64

    private struct Run {
        /// Lowest number last, so the next is `popLast()`.
        var candidates: [Candidate] = []
        var nextLength = 1
    }

    private var runs: [Pool: Run] = [:]
    /// Whether the last transaction committed (false while one is open).
    private var committed = true
    /// Pools with runs kept at most; past it, all are forgotten.
    static let maxPools = 256

    /// The pool's lowest available code as far as the writer knows:
    /// popped from the run read ahead, or the first of a new run `read`
    /// returns (asked for twice as many as the last run, up to `maxRun`).
    func next(in pool: Pool, read: (_ limit: Int) throws -> [Candidate]) rethrows -> Candidate? {
        // Popped in place: a copy of the run taken out would copy its array.
        if let next = runs[pool]?.candidates.popLast() { return next }
        let length = runs[pool]?.nextLength ?? 1
        var candidates = Array(try read(length).reversed())
        let next = candidates.popLast()
        if runs.count >= Self.maxPools, runs[pool] == nil { runs.removeAll() }
        runs[pool] = Run(candidates: candidates, nextLength: min(length * 2, Self.maxRun))
        return next
    }

    /// A candidate that was not taken (its customer already held a code):
    /// still the lowest, so it goes next.
    func putBack(_ candidate: Candidate, in pool: Pool) {
        runs[pool, default: Run()].candidates.append(candidate)
    }

    /// The pool's run was stale (a candidate was no longer available).
    func forget(_ pool: Pool) {
        runs[pool] = nil
    }

    /// A transaction began: if the one before did not commit, what it took is back.
    func transactionBegan() {
        if !committed { runs.removeAll() }
        committed = false
    }

    func transactionCommitted() {
        committed = true
    }

    /// A job was rolled back to its savepoint: what it took is back.
    func jobRolledBack() {
        runs.removeAll()
    }
}
