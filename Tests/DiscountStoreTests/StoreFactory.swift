import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Foundation
import Testing

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

/// Runs `body` against a fresh SQLite store, then closes and removes it.
func withSQLiteStore(_ body: (SQLiteStore) async throws -> Void) async throws {
    let fixture = try SQLiteFixture()
    defer { fixture.remove() }
    let store = try fixture.openSQLite()
    try await closing(store) { try await body(store) }
}

/// Runs `body` against a fresh store of `factory`'s kind, then closes and removes it.
func withStore(
    _ factory: StoreFactory, _ body: (any Store) async throws -> Void
) async throws {
    let fixture = try await factory.makeFixture()
    do {
        let store = try await fixture.open()
        try await closing(store) { try await body(store) }
    } catch {
        await fixture.remove()
        throw error
    }
    await fixture.remove()
}

/// Runs `body` against a fresh store of `factory`'s kind that also keeps `kind` (voucher pools, commissions).
func withStore<Kind>(
    _ factory: StoreFactory, keeping kind: Kind.Type, _ body: (Kind) async throws -> Void
) async throws {
    try await withStore(factory) { store async throws in
        try await body(try #require(store as? Kind, "\(factory) is no \(Kind.self)"))
    }
}

/// Runs `body`, then closes `store` whether it threw or not.
func closing(_ store: any Store, _ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        await store.close()
        throw error
    }
    await store.close()
}

/// Makes `count` calls at once, call `index` on `stores[index % stores.count]`, and returns their answers in the
/// order they came.
@discardableResult
func atOnce<S: Sendable, Answer: Sendable>(
    _ count: Int, across stores: [S], _ call: @escaping @Sendable (S, Int) async throws -> Answer
) async throws -> [Answer] {
    try await withThrowingTaskGroup(of: Answer.self) { group in
        for index in 0..<count {
            let store = stores[index % stores.count]
            group.addTask { try await call(store, index) }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}
