import ArgumentParser
import DiscountStore
import DiscountStorePostgres
import DiscountStoreSQLite
import Logging

/// Everything the services need of a store, whichever backend it is.
typealias DaemonStore = Store & CommissionStore & VoucherStore & StoreBackup & ChangeFeed

/// The store the daemon (or a subcommand) runs on: the PostgreSQL database
/// of `--postgres`, shared with other daemons; else SQLite in the data
/// folder, whose lock it holds for as long as it lives (one daemon per file).
struct OpenedStore {
    let store: any DaemonStore
    let lock: DataDirectoryLock?
    /// Whether other daemons may write to the store too (its change feed
    /// then has to be followed to keep caches coherent).
    let sharedWithOtherWriters: Bool

    static func open(
        _ folder: DataFolderOptions, synchronous: SynchronousMode = .full, logger: Logger
    ) async throws -> OpenedStore {
        if let url = try folder.postgres() {
            do {
                let store = try await PostgresStore.open(url: url, logger: logger)
                logger.info("store: PostgreSQL", metadata: ["url": "\(url)", "schema": "\(store.schema)"])
                return OpenedStore(store: store, lock: nil, sharedWithOtherWriters: true)
            } catch {
                throw DaemonFailure(description: "cannot open the PostgreSQL store at \(url): \(error)")
            }
        }
        try makeDirectory(folder.dataDir)
        // Before the socket: a second daemon on this folder must not even
        // replace the first one's socket.
        let lock = try DataDirectoryLock.takeOrExit(folder.dataDir, logger: logger)
        let store = try SQLiteStore.open(path: folder.dataDir + "/discountd.sqlite", synchronous: synchronous)
        return OpenedStore(store: store, lock: lock, sharedWithOtherWriters: false)
    }
}
