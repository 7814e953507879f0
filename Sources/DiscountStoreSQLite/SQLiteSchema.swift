import DiscountStore

/// The store's schema as an ordered list of migrations. Step N (1-based) takes
/// a database from `PRAGMA user_version` N-1 to N, in one transaction.
///
/// SHIPPED STEPS NEVER CHANGE: a database in the field has run them as they
/// were. To change the schema, append a new step (campaigns, agents, voucher
/// pools, the Shopify outbox… each arrives as its own step). Every table is
/// STRICT; instants are INTEGER microseconds since the Unix epoch; booleans are
/// INTEGER 0/1; everything hangs off a project.
enum SQLiteSchema {
    static let migrations: [SQLiteMigration] = [
        // 1: projects, tokens, price rules, discount codes, redemptions, idempotency keys.
        .sql(
            """
            CREATE TABLE projects (
                id         TEXT    NOT NULL PRIMARY KEY,
                name       TEXT    NOT NULL UNIQUE,
                created_at INTEGER NOT NULL
            ) STRICT;

            INSERT INTO projects (id, name, created_at)
            VALUES ('default', 'default', CAST((julianday('now') - 2440587.5) * 86400000000 AS INTEGER));

            CREATE TABLE tokens (
                id          TEXT    NOT NULL PRIMARY KEY,
                project_id  TEXT    NOT NULL REFERENCES projects (id),
                name        TEXT    NOT NULL,
                scopes      TEXT    NOT NULL,  -- space-separated scope names
                secret_hash TEXT    NOT NULL UNIQUE,
                created_at  INTEGER NOT NULL,
                expires_at  INTEGER,
                revoked_at  INTEGER
            ) STRICT;
            CREATE INDEX tokens_by_project ON tokens (project_id);

            CREATE TABLE price_rules (
                project_id        TEXT    NOT NULL REFERENCES projects (id),
                id                TEXT    NOT NULL,
                title             TEXT    NOT NULL,
                value_kind        TEXT    NOT NULL CHECK (value_kind IN ('percentage', 'fixed_amount')),
                value             REAL    NOT NULL,
                currency          TEXT    NOT NULL,
                starts_at         INTEGER NOT NULL,
                ends_at           INTEGER,
                usage_limit       INTEGER,
                usage_count       INTEGER NOT NULL DEFAULT 0,
                once_per_customer INTEGER NOT NULL CHECK (once_per_customer IN (0, 1)),
                created_at        INTEGER NOT NULL,
                updated_at        INTEGER NOT NULL,
                version           INTEGER NOT NULL DEFAULT 1,
                PRIMARY KEY (project_id, id)
            ) STRICT, WITHOUT ROWID;

            CREATE TABLE discount_codes (
                project_id     TEXT    NOT NULL,
                id             TEXT    NOT NULL,
                price_rule_id  TEXT    NOT NULL,
                code           TEXT    NOT NULL,  -- as given (trimmed)
                canonical_code TEXT    NOT NULL,  -- upper-cased: the unique key
                use_with_other INTEGER NOT NULL CHECK (use_with_other IN (0, 1)),
                usage_limit    INTEGER,
                usage_count    INTEGER NOT NULL DEFAULT 0,
                created_at     INTEGER NOT NULL,
                updated_at     INTEGER NOT NULL,
                version        INTEGER NOT NULL DEFAULT 1,
                UNIQUE (project_id, id),
                UNIQUE (project_id, canonical_code),
                FOREIGN KEY (project_id, price_rule_id) REFERENCES price_rules (project_id, id) ON DELETE CASCADE
            ) STRICT;
            -- Keyset pages of one rule's codes; also the child index of the cascade.
            CREATE INDEX discount_codes_by_rule ON discount_codes (project_id, price_rule_id, id);

            -- A ledger: rows are never deleted, a rollback stamps rolled_back_at.
            -- No foreign keys, so deleting a code or rule keeps its history.
            CREATE TABLE redemptions (
                project_id       TEXT    NOT NULL,
                order_id         TEXT    NOT NULL,
                discount_code_id TEXT    NOT NULL,
                price_rule_id    TEXT    NOT NULL,
                customer_id      TEXT,
                created_at       INTEGER NOT NULL,
                rolled_back_at   INTEGER
            ) STRICT;
            -- One live use per (order, code); a rolled-back use may be redeemed again.
            CREATE UNIQUE INDEX redemptions_live_by_order
                ON redemptions (project_id, order_id, discount_code_id) WHERE rolled_back_at IS NULL;
            CREATE INDEX redemptions_by_customer
                ON redemptions (project_id, price_rule_id, customer_id) WHERE customer_id IS NOT NULL;

            CREATE TABLE idempotency_keys (
                project_id   TEXT    NOT NULL REFERENCES projects (id),
                key          TEXT    NOT NULL,
                method       TEXT    NOT NULL,
                request_hash TEXT    NOT NULL,
                response     BLOB    NOT NULL,
                created_at   INTEGER NOT NULL,
                PRIMARY KEY (project_id, key)
            ) STRICT;
            CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
            """),
        // 2: voucher pools and codes.
        .sql(vouchers),
        // 3: agents, campaigns, agent codes, Shopify outbox and credentials, orders.
        .sql(commissionMigration),
        // 4: the same CHECKs without IN lists (see `cheaperChecks`).
        .rewritingChecks(cheaperChecks),
        // 5: keys of non-ASCII codes in Unicode's identifier-matching form (`CodeText.canonical`).
        .rekeyingNonASCIICodes,
        // 6: where bulk operations under an idempotency key have got to.
        .sql(
            """
            CREATE TABLE bulk_checkpoints (
                project_id   TEXT    NOT NULL,
                key          TEXT    NOT NULL,
                method       TEXT    NOT NULL,
                request_hash TEXT    NOT NULL,
                processed    INTEGER NOT NULL,
                tally        BLOB    NOT NULL,
                updated_at   INTEGER NOT NULL,
                PRIMARY KEY (project_id, key)
            ) STRICT, WITHOUT ROWID;
            """),
    ]

    /// The version a fully migrated database has.
    static var currentVersion: Int64 { Int64(migrations.count) }

    /// Brings the database up to `currentVersion`, one transaction per step.
    /// Refuses a database made by a newer build (its version is unknown here).
    /// `target` stops earlier (tests build databases as older builds left them).
    static func migrate(_ connection: SQLiteConnection, upTo target: Int64 = currentVersion) throws {
        let version = try connection.scalarInt64("PRAGMA user_version")
        guard version <= currentVersion else {
            throw SQLiteError(
                code: 1,
                message: "database schema version \(version) is newer than this build's \(currentVersion)"
            )
        }
        for step in Int(version)..<Int(target) {
            try connection.execute("BEGIN IMMEDIATE")
            do {
                try migrations[step].apply(connection)
                try connection.execute("PRAGMA user_version = \(step + 1)")
                try connection.execute("COMMIT")
            } catch {
                if !connection.isAutocommit { try? connection.execute("ROLLBACK") }
                throw error
            }
        }
    }
}

extension SQLiteSchema {
    /// A CHECK with an IN list of three or more values makes SQLite build a
    /// temporary b-tree of the list on every INSERT or UPDATE that touches the
    /// column (a malloc-heavy few microseconds on each voucher assignment).
    /// Comparisons say the same for the price of a few opcodes.
    static let cheaperChecks: [SQLiteMigration.CheckRewrite] = [
        .init(
            table: "voucher_codes",
            old: "CHECK (status IN (1, 2, 3))",
            new: "CHECK (status BETWEEN 1 AND 3)"),
        .init(
            table: "agent_codes",
            old: "CHECK (sync_status IN ('pending', 'synced', 'failed', 'skipped_no_credentials'))",
            new: """
                CHECK (sync_status = 'pending' OR sync_status = 'synced' OR sync_status = 'failed'
                    OR sync_status = 'skipped_no_credentials')
                """),
        .init(
            table: "commission_orders",
            old: "CHECK (status IN ('pending', 'paid', 'cancelled', 'refunded'))",
            new: "CHECK (status = 'pending' OR status = 'paid' OR status = 'cancelled' OR status = 'refunded')"),
    ]
}
