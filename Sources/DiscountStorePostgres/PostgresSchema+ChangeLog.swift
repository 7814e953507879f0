extension PostgresSchema {
    /// Step 4: the change log other daemons catch up from, and its doorbell.
    static let changeLog: [String] = [
        // One row per entity a committed write changed, in the write's transaction.
        // `xid` is the writing transaction's id: readers order their catch-up by
        // commit visibility (pg_snapshot), not by `id`, whose values can commit out
        // of order. `committed_at` is the database's clock as the write logs it,
        // just before its COMMIT.
        """
        CREATE TABLE change_log (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            xid          xid8 NOT NULL DEFAULT pg_current_xact_id(),
            committed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
            kind         text NOT NULL,
            project_id   text COLLATE "C" NOT NULL,
            entity_id    text COLLATE "C" NOT NULL,
            entity_key   text COLLATE "C",
            version      bigint NOT NULL
        )
        """,
        """
        CREATE INDEX change_log_by_xid ON change_log (xid)
        """,
        """
        CREATE INDEX change_log_by_age ON change_log (committed_at)
        """,
        // The newest committed_at among the rows pruning has deleted: a reader whose
        // cursor was taken before it (give or take a commit's delay) may have
        // missed some, and must resynchronise.
        """
        CREATE TABLE change_log_pruned (
            only_row boolean NOT NULL PRIMARY KEY DEFAULT true CHECK (only_row),
            before   timestamptz NOT NULL
        )
        """,
        """
        INSERT INTO change_log_pruned (before) VALUES ('-infinity')
        """,
        // The doorbell: one NOTIFY per statement that logged anything, and PostgreSQL
        // folds identical notifications of one transaction into one: at most one per
        // committed batch, never one per operation (NOTIFY takes an instance-wide
        // lock at commit).
        """
        CREATE FUNCTION discountd_ring_doorbell() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM logged) THEN
                PERFORM pg_notify('discountd.' || TG_TABLE_SCHEMA, '');
            END IF;
            RETURN NULL;
        END
        $$
        """,
        """
        CREATE TRIGGER change_log_doorbell AFTER INSERT ON change_log
            REFERENCING NEW TABLE AS logged FOR EACH STATEMENT EXECUTE FUNCTION discountd_ring_doorbell()
        """,
    ]
}
