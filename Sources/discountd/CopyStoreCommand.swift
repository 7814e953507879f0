import ArgumentParser
import DiscountStore
import DiscountStorePostgres
import DiscountStoreSQLite
import Logging

/// `discountd copy-store`: moves a one-host SQLite store into PostgreSQL,
/// for a user who outgrows one host. Runs while the SQLite daemon is
/// stopped (it takes the data folder's lock) and before daemons use the
/// PostgreSQL database.
struct CopyStoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "copy-store",
        abstract: "Copy a stopped daemon's SQLite store into a PostgreSQL database.",
        discussion: """
            Copies every table, then checks the row counts. A copy that stops (a crash, a lost connection) \
            resumes when run again with the same arguments. The target must be a new, empty store unless \
            --force is given, which copies into one that has data and leaves rows whose key is already there \
            as they are. The password may come from DISCOUNTD_POSTGRES_PASSWORD.
            Example: discountd copy-store --from-data-dir ./data --to-postgres postgresql://discountd@/discountd?host=/run/postgresql
            """)

    @Option(help: "The data folder of the SQLite store to copy.")
    var fromDataDir: String

    @Option(help: ArgumentHelp("The PostgreSQL database to copy into (a libpq URL, as for --postgres).", valueName: "url"))
    var toPostgres: String

    @Flag(name: [.customLong("force"), .customLong("into-non-empty")], help: "Copy into a store that already has data.")
    var force = false

    @Option(help: "Rows per statement.")
    var chunk = 5_000

    func validate() throws {
        guard chunk >= 1 else { throw ValidationError("--chunk must be at least 1") }
    }

    func run() async throws {
        var logger = Logger(label: "discountd") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let url: PostgresURL
        do {
            url = try PostgresURL(toPostgres, password: env("DISCOUNTD_POSTGRES_PASSWORD"))
        } catch {
            throw ValidationError("--to-postgres: \(error)")
        }
        let lock = try DataDirectoryLock.takeOrExit(fromDataDir, logger: logger)
        defer { withExtendedLifetime(lock) {} }
        let path = fromDataDir + "/discountd.sqlite"
        guard access(path, R_OK) == 0 else { throw DaemonFailure(description: "no store at \(path)") }
        let source = try await SQLiteTableSource(path: path)
        let store: PostgresStore
        do {
            store = try await PostgresStore.open(url: url, logger: logger)
        } catch {
            throw DaemonFailure(description: "cannot open the PostgreSQL store at \(url): \(error)")
        }
        do {
            try await StoreCopy(source: source, target: PostgresCopyTarget(store: store), sourceName: source.path, force: force)
                .run(chunk: chunk) { printError($0) }
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    }
}

/// The copy itself: checks the target, copies table by table (skipping
/// those a stopped copy finished), verifies the counts.
struct StoreCopy {
    let source: any StoreTableSource
    let target: PostgresCopyTarget
    let sourceName: String
    let force: Bool
    /// A fault-injection point for the tests of resuming: the copy stops as
    /// if killed once this table is done (DISCOUNTD_COPY_STORE_STOP_AFTER).
    var stopAfter: String? = env("DISCOUNTD_COPY_STORE_STOP_AFTER")

    func run(chunk: Int, report: (String) -> Void) async throws {
        let tables = source.tableNames
        var done: Set<String> = []
        var intoEmpty = true
        if let progress = try await target.progress() {
            guard progress.source == sourceName || force else {
                throw DaemonFailure(
                    description: """
                        a copy from \(progress.source) into this database has not finished; finish it, or give --force \
                        to copy \(sourceName) in as well
                        """)
            }
            done = progress.done
            intoEmpty = progress.intoEmpty && progress.source == sourceName
            report("resuming the copy from \(progress.source): \(done.count) of \(tables.count) tables done")
        } else {
            let filled = try await target.nonEmptyTables(tables)
            guard filled.isEmpty || force else {
                throw DaemonFailure(
                    description: """
                        the PostgreSQL store is not empty (\(filled.joined(separator: ", ")) hold rows); give --force to copy \
                        into it anyway (rows whose key is there already are left as they are)
                        """)
            }
            intoEmpty = filled.isEmpty
            try await target.begin(source: sourceName, replacingDefaultProject: intoEmpty)
        }
        for table in tables where !done.contains(table) {
            let columns = try source.columns(of: table)
            var read = 0
            var added = 0
            try await source.forEachChunk(of: table, chunk: chunk) { rows in
                added += try await target.insert(rows, into: table, columns: columns)
                read += rows.count
            }
            try await target.markDone(table, source: sourceName)
            report("\(table): \(read) rows read, \(added) added")
            if table == stopAfter {
                report("stopping after \(table), as DISCOUNTD_COPY_STORE_STOP_AFTER asks")
                throw ExitCode(3)
            }
        }
        try await target.finish()
        // Counts: equal into an empty store; with --force at least the source's.
        var mismatches: [String] = []
        for table in tables {
            let expected = try source.count(of: table)
            let found = try await target.count(of: table)
            if intoEmpty ? found != expected : found < expected {
                mismatches.append("\(table): \(expected) in SQLite, \(found) in PostgreSQL")
            }
        }
        guard mismatches.isEmpty else {
            throw DaemonFailure(description: "the counts differ after the copy: \(mismatches.joined(separator: "; "))")
        }
        report("copied \(tables.count) tables; the row counts match")
    }
}

#if canImport(Glibc)
import Glibc
#endif
