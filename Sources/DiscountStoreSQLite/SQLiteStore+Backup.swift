import CSQLite
import DiscountStore

#if canImport(Glibc)
import Glibc
#endif

/// Online backup by `VACUUM INTO` on a connection of its own.
///
/// Why `VACUUM INTO` rather than the sqlite3_backup_* API: it runs as one
/// read transaction on a WAL snapshot, so the copy is consistent and the
/// writer (group commit) never waits for it; the backup API, stepped in
/// pieces, restarts whenever another connection commits, which under a steady
/// write load may never finish (stepped all at once it is the same snapshot,
/// without the next point). The copy is also compacted (no free pages) and
/// VACUUM INTO refuses a non-empty destination. The connection is opened
/// read-only without `query_only` (that pragma forbids writing the copy).
///
/// The copy is written beside the destination under a temporary name with
/// mode 0600 (the store holds token hashes and Shopify credentials), synced,
/// then linked into place (`link` never replaces a file that appeared
/// meanwhile) and its folder synced: a crash leaves no half backup at `path`.
extension SQLiteStore: StoreBackup {
    public func backup(to path: String) async throws -> Int64 {
        let source = self.path
        // Seconds of I/O for a big store: on a thread of its own, not a pool thread.
        return try await withCheckedThrowingContinuation { continuation in
            do {
                try spawnThread(named: "sqlite-backup") {
                    do { continuation.resume(returning: try Self.copy(source, to: path)) } catch {
                        continuation.resume(throwing: error)
                    }
                }
            } catch {
                continuation.resume(throwing: BackupError.failed("\(error)"))
            }
        }
    }

    static func copy(_ source: String, to destination: String) throws(BackupError) -> Int64 {
        guard destination.hasPrefix("/") else { throw .badDestination(destination, reason: "not an absolute path") }
        var info = stat()
        guard lstat(destination, &info) != 0 else { throw .destinationExists(destination) }
        let folder = String(destination[..<destination.lastIndex(of: "/")!])
        let folderPath = folder.isEmpty ? "/" : folder
        guard stat(folderPath, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            throw .badDestination(destination, reason: "folder \(folderPath) does not exist")
        }
        let temporary = "\(folder)/.discountd-backup-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .failed("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        Glibc.close(fd)
        do {
            try vacuum(source, into: temporary)
            try sync(temporary)
            guard link(temporary, destination) == 0 else {
                if errno == EEXIST { throw BackupError.destinationExists(destination) }
                throw BackupError.failed("cannot link \(destination): \(String(cString: strerror(errno)))")
            }
            unlink(temporary)
            try sync(folderPath, directory: true)
        } catch let error as BackupError {
            unlink(temporary)
            throw error
        } catch {
            unlink(temporary)
            throw .failed("\(error)")
        }
        guard stat(destination, &info) == 0 else { throw .failed("cannot stat \(destination)") }
        return Int64(info.st_size)
    }

    private static func vacuum(_ source: String, into temporary: String) throws(BackupError) {
        var db: OpaquePointer?
        defer { sqlite3_close_v2(db) }
        guard sqlite3_open_v2(source, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw .failed("cannot open \(source): \(db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory")")
        }
        sqlite3_busy_timeout(db, 5_000)
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &statement, nil) == SQLITE_OK,
            sqlite3_bind_text(statement, 1, temporary, -1, SQLiteStatement.transient) == SQLITE_OK,
            sqlite3_step(statement) == SQLITE_DONE
        else {
            throw .failed(String(cString: sqlite3_errmsg(db)))
        }
    }

    private static func sync(_ path: String, directory: Bool = false) throws(BackupError) {
        let fd = Glibc.open(path, (directory ? O_DIRECTORY : O_RDONLY) | O_CLOEXEC)
        guard fd >= 0 else { throw .failed("cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { Glibc.close(fd) }
        guard fsync(fd) == 0 else { throw .failed("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }
}
