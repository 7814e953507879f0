import CSQLite
import DiscountStore
import NIOConcurrencyHelpers
import Synchronization

/// Copies the write-ahead log back into the database file on its own thread
/// and connection, so the writer's commits do not wait for checkpoints.
///
/// The writer connection's automatic checkpoint is replaced by a WAL hook:
/// past `backgroundFrames` frames it asks this thread for a PASSIVE checkpoint
/// (which never blocks the writer or readers); past `writerFrames` (the
/// background one has fallen far behind) the writer checkpoints itself.
///
/// `@unchecked Sendable`: `requested`, `stopping` and `stopped` are only
/// touched with `lock` held; `connection` only by the checkpoint thread (and
/// by `init`, before the thread starts); `tight` is atomic.
final class SQLiteCheckpointer: @unchecked Sendable {
    /// About 40 MiB of log. Hot pages (the right edge of an index that grows
    /// in order, a pool's counters) are rewritten by every commit, and a
    /// checkpoint copies each only once however often it changed: at 1,000
    /// frames the checkpoint thread copied five times as often, for 6–7% fewer
    /// durable writes a second.
    static let backgroundFrames: Int32 = 5_000
    static let writerFrames: Int32 = 20_000
    /// With little disk left (`tight`): about 2 MiB of log, and each
    /// checkpoint truncates the file, so the log gives its space back.
    static let tightFrames: Int32 = 500

    /// Set by the writer's `SQLiteSpaceGuard` when free space runs low.
    var tight: Bool {
        get { tightFlag.load(ordering: .relaxed) }
        set { tightFlag.store(newValue, ordering: .relaxed) }
    }
    private let tightFlag = Atomic<Bool>(false)

    private let connection: SQLiteConnection
    /// Its value: `State` (what the thread or `stop()` waits for).
    private let lock = ConditionLock(value: State.idle.rawValue)
    private var requested = false
    private var stopping = false
    private var stopped = false

    init(path: String, synchronous: SynchronousMode) throws {
        connection = try SQLiteConnection(path: path, role: .checkpointer(synchronous))
        try spawnThread(named: "sqlite-ckpt") { [self] in runLoop() }
    }

    /// Installs the WAL hook on the writer connection. `self` must outlive
    /// the hook: call `detach(from:)` before closing the writer connection.
    func attach(to writer: SQLiteConnection) {
        sqlite3_wal_hook(
            writer.db,
            { context, db, schema, frames in
                let checkpointer = Unmanaged<SQLiteCheckpointer>.fromOpaque(context!).takeUnretainedValue()
                if frames >= SQLiteCheckpointer.writerFrames {
                    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
                } else if frames >= SQLiteCheckpointer.backgroundFrames
                    || (frames >= SQLiteCheckpointer.tightFrames && checkpointer.tight)
                {
                    checkpointer.request()
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    func detach(from writer: SQLiteConnection) {
        sqlite3_wal_hook(writer.db, nil, nil)
    }

    private enum State: Int {
        case idle
        /// A checkpoint is requested, or `stop()` was called.
        case work
        case stopped
    }

    /// The state `requested`, `stopping` and `stopped` make; the lock is held.
    private var state: State { stopped ? .stopped : (requested || stopping) ? .work : .idle }

    func request() {
        lock.lock()
        requested = true
        lock.unlock(withValue: state.rawValue)
    }

    /// Ends the thread (after any checkpoint in progress) and closes its connection.
    func stop() {
        lock.lock()
        stopping = true
        lock.unlock(withValue: state.rawValue)
        lock.lock(whenValue: State.stopped.rawValue)
        lock.unlock()
    }

    private func runLoop() {
        while true {
            lock.lock(whenValue: State.work.rawValue)
            requested = false
            let stop = stopping
            lock.unlock(withValue: state.rawValue)
            if stop { break }
            // TRUNCATE waits briefly for the writer and readers, so only when
            // the disk is short; PASSIVE never waits.
            let mode = tight ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE
            sqlite3_wal_checkpoint_v2(connection.db, "main", mode, nil, nil)
        }
        connection.close()
        lock.lock()
        stopped = true
        lock.unlock(withValue: state.rawValue)
    }
}
