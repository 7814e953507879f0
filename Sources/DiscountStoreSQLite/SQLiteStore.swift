import DiscountCore
import DiscountStore

/// The embedded store: one SQLite file in WAL mode.
///
/// Writes go to one writer connection owned by a dedicated thread that
/// commits concurrent writes together (`SQLiteWriter`); reads run on the
/// calling task on a pool of read-only connections (`SQLiteReaderPool`) and
/// never wait behind writes. The operations live in the `SQLiteStore+…` files.
public final class SQLiteStore: Store {
    public var backendName: String { "sqlite" }
    /// Disk held back for deletes once the disk is full: 8 MiB.
    public static let defaultReserveBytes: Int64 = 8 << 20
    /// The database file.
    public let path: String
    public let synchronous: SynchronousMode

    let writer: SQLiteWriter
    let readers: SQLiteReaderPool

    private init(path: String, synchronous: SynchronousMode, writer: SQLiteWriter, readers: SQLiteReaderPool) {
        self.path = path
        self.synchronous = synchronous
        self.writer = writer
        self.readers = readers
    }

    /// Opens the database at `path`, creating it (mode 0600) when missing, and
    /// brings its schema up to date. `synchronous` is `.full` unless you
    /// accept losing the last acknowledged writes on power loss (see `SynchronousMode`).
    ///
    /// `reserveBytes` of disk are held back in a reserve file beside it, released
    /// when the disk fills so that deletes can still commit (see `SQLiteSpaceGuard`).
    public static func open(
        path: String, synchronous: SynchronousMode = .full,
        reserveBytes: Int64 = SQLiteStore.defaultReserveBytes
    ) throws -> SQLiteStore {
        do {
            let connection = try SQLiteConnection(path: path, role: .writer(synchronous))
            do {
                try SQLiteSchema.migrate(connection)
            } catch {
                connection.close()
                throw error
            }
            let readers: SQLiteReaderPool
            let checkpointer: SQLiteCheckpointer
            do {
                readers = try SQLiteReaderPool(path: path)
                checkpointer = try SQLiteCheckpointer(path: path, synchronous: synchronous)
            } catch {
                connection.close()
                throw error
            }
            let writer: SQLiteWriter
            do {
                let spaceGuard = SQLiteSpaceGuard(databasePath: path, reserveBytes: reserveBytes, checkpointer: checkpointer)
                writer = try SQLiteWriter(connection: connection, checkpointer: checkpointer, spaceGuard: spaceGuard)
            } catch {
                checkpointer.stop()
                readers.close()
                connection.close()
                throw error
            }
            return SQLiteStore(path: path, synchronous: synchronous, writer: writer, readers: readers)
        } catch let error as SQLiteError {
            throw StoreError.failure("cannot open \(path): \(error.message)")
        }
    }

    /// Runs pending writes, checkpoints the WAL into the database file and
    /// closes every connection; later calls throw `StoreError.closed`.
    public func close() async {
        readers.close()
        await writer.close()
    }

    /// Transactions the writer has committed (a group of writes counts once).
    var commitCount: Int { writer.commits }

    /// Writes waiting for the writer thread.
    var queuedWrites: Int { writer.queuedJobs }

    /// Checkpoint passes so far, by the checkpoint thread and by the writer.
    var checkpointPasses: (background: Int, writer: Int) { writer.checkpointPasses }

    // MARK: Helpers for the operations

    /// A read on a reader connection, on the calling task.
    func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try readers.read(body)
    }

    /// A write on the writer thread; returns once committed.
    func write<T: Sendable>(
        weight: Int = 1, freesSpace: Bool = false, _ body: @escaping @Sendable (SQLiteConnection) throws -> T
    ) async throws -> T {
        try await writer.write(weight: weight, freesSpace: freesSpace, body)
    }

    /// A write with its caller's options: skipped if still queued at the
    /// deadline; with an idempotency claim, a live record under the key
    /// stops it before it starts (`StoreError.replay`), and otherwise its
    /// answer is saved in the same transaction (the job is one savepoint, so
    /// a replay or a failure undoes only this write).
    func write<T: Sendable>(
        weight: Int = 1, freesSpace: Bool = false, defersCounts: Bool = false, options: WriteOptions<T>,
        _ body: @escaping @Sendable (SQLiteConnection) throws -> T
    ) async throws -> T {
        try await writer.write(
            weight: weight, freesSpace: freesSpace, defersCounts: defersCounts, deadline: options.deadline
        ) { db in
            guard let claim = options.idempotency else { return try body(db) }
            if let first = try Self.liveIdempotencyRecord(projectID: claim.projectID, key: claim.key, at: claim.createdAt, db) {
                throw StoreError.replay(first)
            }
            let result = try body(db)
            if let record = claim.record(for: result) {
                _ = try Self.saveIdempotencyRecord(record, db)
            }
            return result
        }
    }
}
