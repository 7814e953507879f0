import DiscountStore

extension SQLiteSchema {
    /// Agents, campaigns, agents' codes, the Shopify outbox and credentials,
    /// attributed orders and seen webhook deliveries.
    static let commissionMigration = """
        CREATE TABLE agents (
            id            INTEGER NOT NULL PRIMARY KEY,
            project_id    TEXT    NOT NULL REFERENCES projects (id),
            name          TEXT    NOT NULL,
            contact       TEXT,
            registered_at INTEGER NOT NULL,
            UNIQUE (project_id, name)
        ) STRICT;

        CREATE TABLE campaigns (
            id                 INTEGER NOT NULL PRIMARY KEY,
            project_id         TEXT    NOT NULL REFERENCES projects (id),
            name               TEXT    NOT NULL,
            discount_percent   REAL    NOT NULL,
            commission_percent REAL    NOT NULL,
            starts_at          INTEGER NOT NULL,
            ends_at            INTEGER,
            created_at         INTEGER NOT NULL,
            updated_at         INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX campaigns_by_project ON campaigns (project_id, id);

        -- One code per (agent, campaign), forever; codes unique per project.
        CREATE TABLE agent_codes (
            id                  INTEGER NOT NULL PRIMARY KEY,
            project_id          TEXT    NOT NULL,
            agent_id            INTEGER NOT NULL REFERENCES agents (id),
            campaign_id         INTEGER NOT NULL REFERENCES campaigns (id),
            code                TEXT    NOT NULL,
            canonical_code      TEXT    NOT NULL,  -- upper-cased
            created_at          INTEGER NOT NULL,
            sync_status         TEXT    NOT NULL
                CHECK (sync_status IN ('pending', 'synced', 'failed', 'skipped_no_credentials')),
            sync_error          TEXT,
            shopify_discount_id TEXT,
            sync_attempts       INTEGER NOT NULL DEFAULT 0,
            UNIQUE (agent_id, campaign_id),
            UNIQUE (project_id, canonical_code)
        ) STRICT;

        -- Codes still to send to Shopify. Written in the same transaction as
        -- the code, so a crash can never lose a pending sync.
        CREATE TABLE shopify_outbox (
            agent_code_id   INTEGER NOT NULL PRIMARY KEY REFERENCES agent_codes (id) ON DELETE CASCADE,
            project_id      TEXT    NOT NULL,
            enqueued_at     INTEGER NOT NULL,
            next_attempt_at INTEGER NOT NULL,
            attempts        INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX shopify_outbox_due ON shopify_outbox (next_attempt_at);

        CREATE TABLE shopify_credentials (
            project_id     TEXT    NOT NULL PRIMARY KEY REFERENCES projects (id),
            shop_domain    TEXT    NOT NULL,
            access_token   TEXT    NOT NULL,
            granted_scopes TEXT    NOT NULL,  -- space-separated
            updated_at     INTEGER NOT NULL
        ) STRICT;

        CREATE TABLE commission_orders (
            project_id   TEXT    NOT NULL,
            order_id     TEXT    NOT NULL,
            agent_id     INTEGER,
            campaign_id  INTEGER,
            matched_code TEXT,
            subtotal     INTEGER NOT NULL,
            currency     TEXT    NOT NULL,
            occurred_at  INTEGER NOT NULL,
            status       TEXT    NOT NULL CHECK (status IN ('pending', 'paid', 'cancelled', 'refunded')),
            commission   INTEGER NOT NULL,
            created_at   INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            PRIMARY KEY (project_id, order_id)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX commission_orders_by_agent
            ON commission_orders (project_id, agent_id, occurred_at) WHERE agent_id IS NOT NULL;

        CREATE TABLE shopify_webhooks (
            project_id  TEXT    NOT NULL,
            webhook_id  TEXT    NOT NULL,
            received_at INTEGER NOT NULL,
            PRIMARY KEY (project_id, webhook_id)
        ) STRICT, WITHOUT ROWID;
        """
}
