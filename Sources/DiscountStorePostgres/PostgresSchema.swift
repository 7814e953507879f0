import Logging
import PostgresNIO

/// The store's schema as numbered migrations. Step N takes a database from
/// version N-1 to N in one transaction and records itself in
/// `schema_migrations`.
///
/// SHIPPED STEPS NEVER CHANGE: databases in the field have run them as they
/// were. To change the schema, append a step. Instants are `timestamptz`;
/// where a time means "when it committed" (the change log, the migrations
/// themselves) it is the database's clock, never a daemon's. Keys that are
/// ordered or matched exactly are `COLLATE "C"` (bytewise, as SQLite
/// compares), whatever the database's locale.
enum PostgresSchema {
    struct Migration: Sendable {
        let name: String
        let statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(name: "projects, tokens, price rules, discount codes, redemptions, idempotency", statements: core),
        Migration(name: "voucher pools and codes", statements: vouchers),
        Migration(name: "agents, campaigns, agent codes, Shopify outbox and credentials, orders", statements: commission),
        Migration(name: "change log and its doorbell", statements: changeLog),
        Migration(name: "batched redemption", statements: redemption),
        Migration(name: "an index of available voucher codes", statements: availableVoucherCodes),
    ]

    static var currentVersion: Int { migrations.count }

    /// The NOTIFY channel of the store in `schema`: databases holding several
    /// stores (one per schema, as the tests do) ring each its own.
    static func doorbellChannel(schema: String) -> String { "discountd.\(schema)" }

    /// Brings the schema (the first of the connection's search path) up to
    /// date and returns its name. Daemons starting together take turns
    /// through an advisory lock; each step commits on its own. Refuses a
    /// database migrated by a newer build.
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> String {
        let schema = try await collect(connection.query("SELECT current_schema()", logger: logger)).first?
            .decode(String?.self)
        guard let schema else {
            throw PostgresSchemaError(description: "no schema to create tables in (the search path names none that exists)")
        }
        for step in 0..<currentVersion {
            let applied = try await WriteTransaction.run(on: connection, logger: logger) { transaction in
                let connection = transaction.connection
                // One migrator per schema at a time; the lock goes with the transaction.
                try await connection.query("SELECT pg_advisory_xact_lock(hashtext(current_schema()))", logger: logger)
                try await connection.query(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    integer     NOT NULL PRIMARY KEY,
                        name       text        NOT NULL,
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """, logger: logger)
                let version =
                    try await collect(
                        connection.query(
                            "SELECT coalesce(max(version), 0) FROM schema_migrations", logger: logger)
                    ).first?.decode(Int.self) ?? 0
                guard version <= currentVersion else {
                    throw PostgresSchemaError(
                        description: "schema \(schema) is at version \(version), newer than this build's \(currentVersion)")
                }
                guard version == step else { return false }
                let migration = migrations[step]
                // One statement at a time: the extended protocol takes no scripts.
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query(
                    "INSERT INTO schema_migrations (version, name) VALUES (\(step + 1), \(migration.name))", logger: logger)
                return true
            }
            if applied {
                logger.info("migrated the PostgreSQL schema", metadata: ["schema": "\(schema)", "version": "\(step + 1)"])
            }
        }
        return schema
    }
}

struct PostgresSchemaError: Error, CustomStringConvertible {
    let description: String
}
