import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Foundation

/// Somewhere a store keeps its data: open it (again, after a close, to see
/// what survived) and throw it away at the end.
protocol StoreFixture: Sendable {
    func open() async throws -> any Store
    func remove() async
}

/// One backend the contract suite runs against. Backends add themselves to `all`.
struct StoreFactory: Sendable, CustomStringConvertible {
    let name: String
    let makeFixture: @Sendable () async throws -> any StoreFixture

    var description: String { name }

    /// SQLite always; PostgreSQL when the tests were given a server
    /// (`DISCOUNTD_TEST_POSTGRES_URL`, which scripts/test always sets).
    static let all: [StoreFactory] = [.sqliteTempFile] + (PostgresFixture.serverURL == nil ? [] : [.postgresSchema])

    static let sqliteTempFile = StoreFactory(name: "sqlite") { try SQLiteFixture() }

    static let postgresSchema = StoreFactory(name: "postgresql") { try await PostgresFixture() }
}

/// A SQLite file in a fresh temporary directory.
struct SQLiteFixture: StoreFixture {
    let directory: URL
    var path: String { directory.appendingPathComponent("discountd.sqlite").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("discountd-store-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func open() async throws -> any Store { try openSQLite() }

    func openSQLite(synchronous: SynchronousMode = .full) throws -> SQLiteStore {
        try SQLiteStore.open(path: path, synchronous: synchronous)
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }
}

/// Runs `body` against a fresh store of `factory`'s kind, then closes and removes it.
func withStore(
    _ factory: StoreFactory, _ body: (any Store) async throws -> Void
) async throws {
    let fixture = try await factory.makeFixture()
    do {
        let store = try await fixture.open()
        do {
            try await body(store)
            await store.close()
        } catch {
            await store.close()
            throw error
        }
    } catch {
        await fixture.remove()
        throw error
    }
    await fixture.remove()
}
