import DiscountCore
import DiscountStore
import Synchronization

/// One write waiting for the writer thread: what to run on the writer
/// connection, and whom to tell once its transaction has committed.
protocol SQLiteWriteJob: AnyObject, Sendable {
    /// Rows the job touches, roughly: the writer stops adding jobs to a
    /// transaction once the batch weighs `SQLiteWriter.maxBatchWeight`.
    var weight: Int { get }
    /// The caller's task was cancelled before the job ran.
    var isCancelled: Bool { get }
    /// Past this, the job is not started (its caller has stopped waiting).
    var deadline: WriteDeadline { get }
    /// A delete: it may run when the disk is full (see `SQLiteSpaceGuard`).
    var freesSpace: Bool { get }
    /// A redemption or an assignment: it leaves its counters' changes in
    /// `DeferredCounts` (and a redemption reads them there). Before any other
    /// job the writer writes them out.
    var defersCounts: Bool { get }
    /// The job failed because the disk was full. Read on the writer thread after `run`.
    var ranOutOfSpace: Bool { get }
    /// Runs the operation inside the open transaction; true when it succeeded.
    /// Called on the writer thread only.
    func run(on connection: SQLiteConnection) -> Bool
    /// Resumes the caller: with the job's own result when `batchError` is nil
    /// (the transaction committed), else with `batchError`. Called exactly once.
    func finish(batchError: (any Error)?)
}

/// `@unchecked Sendable`: `deliver` is set before the job is enqueued (under
/// the writer's lock); `result` is written by the writer thread after it
/// dequeued the job (under the same lock), and both are read and cleared by
/// the deliverer thread after the writer handed it the job (under the
/// deliverer's lock), so every access is ordered by those locks; `cancelled`
/// is atomic.
final class SQLiteTypedWriteJob<T: Sendable>: SQLiteWriteJob, @unchecked Sendable {
    let weight: Int
    let deadline: WriteDeadline
    let freesSpace: Bool
    let defersCounts: Bool
    private let body: @Sendable (SQLiteConnection) throws -> T
    private let cancelled = Atomic<Bool>(false)
    /// Whom to tell: the suspended caller's continuation, resumed on the
    /// deliverer thread right after the commit.
    var deliver: (@Sendable (Result<T, any Error>) -> Void)?
    private var result: Result<T, any Error>?

    init(
        weight: Int, deadline: WriteDeadline = .never, freesSpace: Bool = false, defersCounts: Bool = false,
        body: @escaping @Sendable (SQLiteConnection) throws -> T
    ) {
        self.weight = weight
        self.deadline = deadline
        self.freesSpace = freesSpace
        self.defersCounts = defersCounts
        self.body = body
    }

    var isCancelled: Bool { cancelled.load(ordering: .acquiring) }

    /// Set by every `run` (a job runs again, with a savepoint, after its
    /// batch failed): a flag, not a match on `result`, which would copy the
    /// result (every job's, after every batch).
    private(set) var ranOutOfSpace = false

    func cancel() { cancelled.store(true, ordering: .releasing) }

    func run(on connection: SQLiteConnection) -> Bool {
        do {
            result = .success(try body(connection))
            ranOutOfSpace = false
            return true
        } catch {
            let failure = StoreError.wrapping(error)
            ranOutOfSpace = (failure as? StoreError) == .storageFull
            result = .failure(failure)
            return false
        }
    }

    func finish(batchError: (any Error)?) {
        guard let deliver else { return }
        self.deliver = nil
        // A job that failed on its own reports its own error even when the
        // batch failed too: it was rolled back either way.
        if case .failure(let own)? = result {
            deliver(.failure(own))
        } else if let batchError {
            deliver(.failure(batchError))
        } else if let result {
            deliver(result)
        } else {
            deliver(.failure(StoreError.failure("write was never run")))
        }
    }
}
