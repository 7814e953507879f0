import CSQLite
import CSQLiteTuning
import DiscountStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One SQLite connection and its cache of prepared statements.
///
/// `@unchecked Sendable` because it is handed between threads but never used
/// by two at once: the writer connection is opened by `SQLiteStore.open` and
/// from then on used only by the writer thread; a reader connection is used
/// only by the task that checked it out of `SQLiteReaderPool` (under the
/// pool's lock) until it checks it back in. Connections are opened with
/// SQLITE_OPEN_NOMUTEX accordingly.
final class SQLiteConnection: @unchecked Sendable {
    enum Role {
        case writer(SynchronousMode)
        case reader
        /// Runs checkpoints only; never writes a transaction.
        case checkpointer(SynchronousMode)
    }

    private(set) var db: OpaquePointer?
    private var statements: [StatementCacheKey: SQLiteStatement] = [:]
    /// Codes the writer's voucher assignments read ahead (unused on readers).
    let voucherReadAhead = VoucherReadAhead()
    /// Counters the writer's redemptions and assignments changed, written
    /// once per batch (unused on readers).
    let deferredCounts = DeferredCounts()

    /// SQLite's process-wide settings (see `discountd_sqlite_configure`),
    /// applied once, before the first connection opens.
    private static let configured: Void = { _ = discountd_sqlite_configure() }()

    /// Opens (for the writer, creating with mode 0600) the database at `path`.
    init(path: String, role: Role) throws {
        Self.configured
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        switch role {
        case .writer:
            try Self.createPrivateFile(path)
            flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .reader:
            flags |= SQLITE_OPEN_READONLY
        case .checkpointer:
            flags |= SQLITE_OPEN_READWRITE
        }
        var handle: OpaquePointer?
        let rc = sqlite3_open_v2(path, &handle, flags, nil)
        guard rc == SQLITE_OK, let handle else {
            let error = SQLiteError(code: rc, db: handle)
            sqlite3_close_v2(handle)
            throw error
        }
        db = handle
        sqlite3_extended_result_codes(handle, 1)
        do {
            try configure(role)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    private func configure(_ role: Role) throws {
        sqlite3_busy_timeout(db, 5_000)
        try execute("PRAGMA trusted_schema = OFF")
        switch role {
        case .writer(let synchronous):
            // Only takes effect on a new, empty file (before WAL is on). Every
            // page a commit changes is logged whole: 4 KiB pages halve that for
            // writes that land on random pages (agent codes end in random
            // characters: +15% first GetMyDiscountCode calls a second against
            // 8 KiB), and measured the same for bulk inserts and ordered writes.
            try execute("PRAGMA page_size = 4096")
            let mode = try scalarString("PRAGMA journal_mode = WAL")
            guard mode.lowercased() == "wal" else {
                throw SQLiteError(code: SQLITE_ERROR, message: "could not switch to WAL mode (journal_mode is \(mode))")
            }
            try execute("PRAGMA synchronous = \(synchronous.pragmaValue)")
            try execute("PRAGMA foreign_keys = ON")
            // The writer's working set during bulk inserts is the indexes' hot
            // pages; 64 MiB keeps a million-code batch from spilling to the WAL.
            try execute("PRAGMA cache_size = -65536")
            try execute("PRAGMA temp_store = MEMORY")
            // Truncate the WAL back to at most 64 MiB after each checkpoint.
            try execute("PRAGMA journal_size_limit = 67108864")
        case .reader:
            try execute("PRAGMA query_only = ON")
            try execute("PRAGMA cache_size = -8192")
        case .checkpointer(let synchronous):
            // The checkpoint syncs the database file as this says.
            try execute("PRAGMA synchronous = \(synchronous.pragmaValue)")
            try execute("PRAGMA cache_size = -1024")
        }
    }

    /// Creates the file readable and writable by its owner only; SQLite gives
    /// the -wal and -shm files the same mode. An existing file is left as it is.
    private static func createPrivateFile(_ path: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if fd >= 0 {
            #if canImport(Glibc)
            Glibc.close(fd)
            #else
            Darwin.close(fd)
            #endif
        } else if errno != EEXIST {
            let reason = String(cString: strerror(errno))
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot create \(path): \(reason)")
        }
    }

    /// Runs one or more statements that return no rows the caller needs.
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(db, sql, nil, nil, &message)
        if rc != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_free(message)
            throw SQLiteError(code: db.map { sqlite3_extended_errcode($0) } ?? rc, message: text)
        }
    }

    /// The first column of the first row, as text (for pragmas).
    func scalarString(_ sql: String) throws -> String {
        try withStatement(sql) { statement in
            try statement.step() ? statement.string(0) : ""
        }
    }

    func scalarInt64(_ sql: String) throws -> Int64 {
        try withStatement(sql) { statement in
            try statement.step() ? statement.int64(0) : 0
        }
    }

    /// The cached statement for `sql` (prepared once, SQLITE_PREPARE_PERSISTENT),
    /// reset and cleared after `body` however it ends.
    func withStatement<T>(_ sql: String, _ body: (SQLiteStatement) throws -> T) throws -> T {
        let statement = try prepared(sql)
        defer { statement.reset() }
        return try body(statement)
    }

    private func prepared(_ sql: String) throws -> SQLiteStatement {
        let key = StatementCacheKey(sql)
        if let statement = statements[key] { return statement }
        guard let db else { throw SQLiteError(code: SQLITE_MISUSE, message: "connection is closed") }
        var handle: OpaquePointer?
        let rc = sqlite3_prepare_v3(db, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &handle, nil)
        guard rc == SQLITE_OK, let handle else {
            throw SQLiteError(code: rc, db: db)
        }
        let statement = SQLiteStatement(handle: handle, db: db)
        statements[key] = statement
        return statement
    }

    /// Whether the connection is outside any transaction (SQLite rolled back
    /// on its own after some errors, or none was begun).
    var isAutocommit: Bool { db.map { sqlite3_get_autocommit($0) != 0 } ?? true }

    var changes: Int { db.map { Int(sqlite3_changes64($0)) } ?? 0 }

    /// The rowid of the last row this connection inserted.
    var lastInsertRowID: Int64 { db.map { sqlite3_last_insert_rowid($0) } ?? 0 }

    /// Finalizes every statement and closes; idempotent.
    func close() {
        statements.removeAll()
        if let db {
            sqlite3_close_v2(db)
            self.db = nil
        }
    }
}
