import DiscountStore

extension SQLiteSchema {
    /// Voucher pools and their codes.
    ///
    /// Pools carry their counts (total, available, assigned, redeemed), kept
    /// in the same transaction as every code state change, so reads never
    /// count. Codes are numbered per pool (`seq`, dense from 1, never removed
    /// one by one): pages and exports are keyset scans on (pool, seq) or
    /// (pool, status, seq), and assignment takes the lowest available number.
    static let vouchers = """
        CREATE TABLE voucher_pools (
            pool_key   INTEGER PRIMARY KEY AUTOINCREMENT,  -- compact key for the codes' indexes
            project_id TEXT    NOT NULL REFERENCES projects (id),
            id         TEXT    NOT NULL,
            name       TEXT    NOT NULL,
            total      INTEGER NOT NULL DEFAULT 0,
            available  INTEGER NOT NULL DEFAULT 0,
            assigned   INTEGER NOT NULL DEFAULT 0,
            redeemed   INTEGER NOT NULL DEFAULT 0,
            created_at INTEGER NOT NULL,
            UNIQUE (project_id, id),
            UNIQUE (project_id, name)
        ) STRICT;

        CREATE TABLE voucher_codes (
            pool_key       INTEGER NOT NULL,
            seq            INTEGER NOT NULL,
            project_id     TEXT    NOT NULL,
            code           TEXT    NOT NULL,  -- as given (trimmed)
            canonical_code TEXT    NOT NULL,  -- upper-cased: one pool per code in a project
            status         INTEGER NOT NULL CHECK (status IN (1, 2, 3)),  -- available, assigned, redeemed
            customer_id    TEXT,
            used_by        TEXT,              -- '' when assigned without one
            assigned_at    INTEGER,
            redeemed_at    INTEGER,
            PRIMARY KEY (pool_key, seq)
        ) STRICT, WITHOUT ROWID;
        CREATE UNIQUE INDEX voucher_codes_by_code ON voucher_codes (project_id, canonical_code);
        -- The next available code, and status-filtered pages.
        CREATE INDEX voucher_codes_by_status ON voucher_codes (pool_key, status, seq);
        -- One code per (customer, used_by) in a pool.
        CREATE UNIQUE INDEX voucher_codes_by_customer
            ON voucher_codes (pool_key, customer_id, used_by) WHERE customer_id IS NOT NULL;

        -- The distinct used_by references of a pool, kept on assignment.
        CREATE TABLE voucher_pool_used_by (
            pool_key INTEGER NOT NULL,
            used_by  TEXT    NOT NULL,
            PRIMARY KEY (pool_key, used_by)
        ) STRICT, WITHOUT ROWID;
        """
}
