import DiscountStore
import Foundation
import Logging
import PostgresNIO

@testable import DiscountStorePostgres

/// A schema of its own on the tests' PostgreSQL server, so tests running in
/// parallel never see each other's rows (nor hear each other's doorbells:
/// the channel is named after the schema). Dropped with everything in it.
struct PostgresFixture: StoreFixture {
    /// The server the tests were given (scripts/throwaway-postgres starts one).
    static let serverURL: String? = ProcessInfo.processInfo.environment["DISCOUNTD_TEST_POSTGRES_URL"]
        .flatMap { $0.isEmpty ? nil : $0 }

    let schema: String

    init() async throws {
        guard Self.serverURL != nil else { throw FixtureError("DISCOUNTD_TEST_POSTGRES_URL is not set") }
        schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        try await Self.admin("CREATE SCHEMA \(schema)")
    }

    /// The server URL with this fixture's schema first in the search path.
    var url: String { Self.url(schema: schema) }

    static func url(schema: String) -> String {
        let base = serverURL ?? ""
        return base + (base.contains("?") ? "&" : "?") + "options=-c%20search_path%3D\(schema)"
    }

    func open() async throws -> any Store { try await openPostgres() }

    func openPostgres(_ configure: (inout PostgresStore.Options) -> Void = { _ in }) async throws -> PostgresStore {
        var options = PostgresStore.Options()
        options.maximumConnections = 4
        configure(&options)
        return try await PostgresStore.open(url: PostgresURL(url), options: options, logger: Self.logger)
    }

    func remove() async {
        _ = try? await Self.admin("DROP SCHEMA IF EXISTS \(schema) CASCADE")
    }

    static var logger: Logger {
        var logger = Logger(label: "discountd.tests.postgres")
        logger.logLevel = .error
        return logger
    }

    /// Runs one statement on a connection of its own, in the fixture's schema when given.
    @discardableResult
    static func admin(_ sql: String, schema: String? = nil) async throws -> [PostgresRow] {
        try await withConnection(schema: schema) { connection in
            try await collect(connection.query(PostgresQuery(unsafeSQL: sql), logger: logger))
        }
    }

    static func withConnection<T>(schema: String? = nil, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        let target = try PostgresURL(schema.map { url(schema: $0) } ?? serverURL ?? "")
        let connection = try await PostgresConnection.connect(
            configuration: try target.connectionConfiguration(), id: 1, logger: logger)
        do {
            let value = try await body(connection)
            try? await connection.close()
            return value
        } catch {
            try? await connection.close()
            throw error
        }
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
