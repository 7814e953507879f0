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
/// The log starts over only once a checkpoint has copied every frame in it,
/// and a commit lands while each checkpoint runs. So this thread used to
/// chase the last few frames: asked again by every commit, each pass two
/// fsyncs for a handful of frames, on the disk the writer's commits wait for
/// (one write at a time: 1,700 fsyncs a second here beside the writer's
/// 2,500). Now a pass that leaves at most `finishingFrames` hands the rest to
/// the writer, which copies them the next time it has nothing queued: one
/// more pass, off every caller's path, after which the log starts over.
///
/// Whatever a pass leaves (a long read pins the frames after its snapshot; a
/// slow disk lets commits outrun the pass), the next is asked for only once
/// the log has grown `passSpacing` frames past the last request: at most one
/// pass per 4 MiB written, instead of one per commit while passes cannot
/// finish the log. (A pass that copied every frame it saw has not finished
/// it: the writer commits while it runs.) The same holds past `writerFrames`,
/// where the pass the writer runs itself would otherwise delay every commit.
///
/// `@unchecked Sendable`: `requested`, `stopping` and `stopped` are only
/// touched with `lock` held; `connection` only by the checkpoint thread (and
/// by `init`, before the thread starts); `lastRequestFrames` only by the
/// writer thread (in its WAL hook); `tight` and `writerFinishes` are atomic.
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
    /// At most this much log left (1 MiB) is the writer's to finish.
    static let finishingFrames: Int32 = 256
    /// A pass is asked for only once the log has grown this much past the
    /// last request (about 4 MiB).
    static let passSpacing: Int32 = 1_000

    /// Set by the writer's `SQLiteSpaceGuard` when free space runs low.
    var tight: Bool {
        get { tightFlag.load(ordering: .relaxed) }
        set { tightFlag.store(newValue, ordering: .relaxed) }
    }
    private let tightFlag = Atomic<Bool>(false)

    /// A background pass left only the last few frames: the writer copies
    /// them when idle (`finish(on:writerIsIdle:)`), and commits ask this
    /// thread for nothing until then.
    private let writerFinishes = Atomic<Bool>(false)

    /// The log's size, in frames, when the writer last asked for a pass.
    private var lastRequestFrames: Int32 = 0

    /// Checkpoint passes so far, by this thread and by the writer (for tests).
    var passes: (background: Int, writer: Int) {
        (backgroundPasses.load(ordering: .relaxed), writerPasses.load(ordering: .relaxed))
    }
    private let backgroundPasses = Atomic<Int>(0)
    private let writerPasses = Atomic<Int>(0)

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
            { context, db, _, frames in
                let checkpointer = Unmanaged<SQLiteCheckpointer>.fromOpaque(context!).takeUnretainedValue()
                switch checkpointer.passWanted(frames: frames) {
                case .byWriter?:
                    checkpointer.passOnWriter(db)
                case .inBackground?:
                    checkpointer.request()
                case nil:
                    break
                }
                return SQLITE_OK
            }, Unmanaged.passUnretained(self).toOpaque())
    }

    private enum Pass {
        /// Right away, in the commit's WAL hook: the background thread has
        /// fallen `writerFrames` behind.
        case byWriter
        case inBackground
    }

    /// The pass a log of `frames` frames calls for, if any (and if one, notes
    /// the request). On the writer thread.
    private func passWanted(frames: Int32) -> Pass? {
        if tight, frames < Self.writerFrames { return frames >= Self.tightFrames ? .inBackground : nil }
        guard Self.wantsPass(frames: frames, lastRequest: lastRequestFrames) else { return nil }
        lastRequestFrames = frames
        return frames >= Self.writerFrames ? .byWriter : .inBackground
    }

    /// Past the mark, and either the log started over since the last request
    /// (it is shorter than it was then) or it has grown `passSpacing` frames
    /// past it. While the writer is to finish a pass's last frames it gets
    /// those `passSpacing` frames' worth of commits to find a moment with
    /// nothing queued.
    static func wantsPass(frames: Int32, lastRequest: Int32) -> Bool {
        frames >= backgroundFrames && (frames < lastRequest || frames - lastRequest >= passSpacing)
    }

    func detach(from writer: SQLiteConnection) {
        sqlite3_wal_hook(writer.db, nil, nil)
    }

    /// Called by the writer between transactions, after telling their
    /// callers: copies the last frames a background pass left, if it left
    /// some and nothing waits for the writer. With work queued it tries again
    /// after the next transaction; if the log grows `passSpacing` frames
    /// first, the next background pass takes them.
    func finish(on writer: SQLiteConnection, writerIsIdle: () -> Bool) {
        guard writerFinishes.load(ordering: .relaxed), writerIsIdle() else { return }
        writerFinishes.store(false, ordering: .relaxed)
        passOnWriter(writer.db)
    }

    /// A PASSIVE pass on the writer's own connection, `db`, on its thread.
    private func passOnWriter(_ db: OpaquePointer?) {
        sqlite3_wal_checkpoint_v2(db, "main", SQLITE_CHECKPOINT_PASSIVE, nil, nil)
        writerPasses.add(1, ordering: .relaxed)
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
            var logFrames: Int32 = 0
            var copiedFrames: Int32 = 0
            let result = sqlite3_wal_checkpoint_v2(connection.db, "main", mode, &logFrames, &copiedFrames)
            backgroundPasses.add(1, ordering: .relaxed)
            if result == SQLITE_OK, !tight, logFrames - copiedFrames <= Self.finishingFrames {
                writerFinishes.store(true, ordering: .relaxed)
            }
        }
        connection.close()
        lock.lock()
        stopped = true
        lock.unlock(withValue: state.rawValue)
    }
}
