import DiscountStore

/// How hard the SQLite store pushes each commit to the disk (`PRAGMA synchronous`).
///
/// The store runs in WAL mode, where the modes mean:
/// - `full` (the default): every commit fsyncs the write-ahead log before the
///   write is acknowledged, so an acknowledged write survives a crash of the
///   process *and* a power loss or kernel panic.
/// - `normal`: the log is only synced at checkpoints. A crash of the process
///   loses nothing, but a power loss or kernel panic may lose the last commits
///   that were already acknowledged (the database stays consistent). Faster,
///   and *not* durable in the sense the daemon promises (an acknowledged write survives a crash).
/// - `extra`: like `full`, and also syncs the directory after the journal is
///   unlinked; in WAL mode it costs about the same as `full`.
public enum SynchronousMode: String, Sendable, CaseIterable {
    case full
    case normal
    case extra

    var pragmaValue: String {
        switch self {
        case .full: "FULL"
        case .normal: "NORMAL"
        case .extra: "EXTRA"
        }
    }
}
