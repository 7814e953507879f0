import DiscountStore

/// Admin.Backup copies an embedded store to a file on the daemon's host. A
/// shared PostgreSQL database is not the daemon's to copy: it is backed up
/// where it lives, with PostgreSQL's own tools, which take one consistent
/// snapshot while the daemons keep writing.
extension PostgresStore: StoreBackup {
    public func backup(to path: String) async throws -> Int64 {
        throw BackupError.failed(
            "this daemon's store is PostgreSQL (\(url.database), schema \(schema)); back it up with pg_dump, e.g. "
                + "pg_dump --format=custom --schema=\(schema) --file=\(path) '\(url)'")
    }
}
