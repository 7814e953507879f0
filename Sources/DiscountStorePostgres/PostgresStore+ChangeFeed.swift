import DiscountCore
import DiscountStore
import PostgresNIO

/// The change log read by commit visibility, not by id.
///
/// Ids (and `committed_at`) are handed out when a row is written, not when its
/// transaction commits: a transaction that began earlier can commit later, so
/// a reader that remembered "ids up to 41" would never see a 40 that commits
/// after it looked. Instead the cursor holds the reader's last MVCC snapshot
/// (`pg_current_snapshot()`: xmin:xmax:in-progress list), and the next read
/// returns exactly the rows whose transaction that snapshot did not see and
/// the new one does: those of transactions in progress at the snapshot (its
/// xip list) or begun after it (xid ≥ its xmax), whatever their ids. Each is
/// an index lookup on `xid` (two branches: the planner cannot estimate xid8
/// ranges, and with one OR'd condition walks the whole log in id order), and
/// a long transaction elsewhere in the cluster (which holds every snapshot's
/// xmin back) does not widen them. The new snapshot and the rows come from
/// one statement, so they agree.
///
/// The cursor also holds the database's clock when its snapshot was taken:
/// pruning deletes rows logged before some time, and a reader whose cursor
/// is older than that (less `Options.commitDelay`) may have missed some.
extension PostgresStore: ChangeFeed {
    public func currentChangeCursor() async throws -> ChangeCursor {
        guard let row = try await rows("SELECT pg_current_snapshot()::text, statement_timestamp()").first else {
            throw StoreError.failure("no snapshot")
        }
        let (snapshot, taken) = try row.decode((String, Instant).self)
        return FeedCursor(snapshot: snapshot, taken: taken).cursor
    }

    public func changes(after cursor: ChangeCursor, limit: Int) async throws -> ChangeBatch {
        let from = try FeedCursor(cursor)
        let limit = max(1, limit)
        let slack = Double(commitDelay.components.seconds) + Double(commitDelay.components.attoseconds) / 1e18
        let answers = try await rows(
            """
            WITH now AS (
                SELECT pg_current_snapshot() AS snapshot, statement_timestamp() AS taken,
                    (SELECT before FROM change_log_pruned) >= \(from.taken) - make_interval(secs => \(slack)) AS pruned_past
            )
            SELECT now.snapshot::text, now.taken, now.pruned_past,
                c.kind, c.project_id, c.entity_id, c.entity_key, c.version, c.committed_at
            FROM now LEFT JOIN LATERAL (
                SELECT * FROM (
                    (SELECT * FROM change_log WHERE xid >= pg_snapshot_xmax(\(from.snapshot)::pg_snapshot)
                        ORDER BY xid LIMIT \(Int64(limit) + 1))
                    UNION ALL
                    (SELECT * FROM change_log WHERE xid = ANY (ARRAY(SELECT pg_snapshot_xip(\(from.snapshot)::pg_snapshot))))
                ) unseen
                ORDER BY id
                LIMIT \(Int64(limit) + 1)
            ) c ON true
            """)
        guard let first = answers.first else { throw StoreError.failure("the change log answered nothing") }
        var head = first.reader()
        let next = FeedCursor(snapshot: try head.next(), taken: try head.next()).cursor
        let prunedPast: Bool = try head.next()
        // More than `limit`, or some may have been pruned before this reader got
        // to them: it cannot know what it missed.
        if prunedPast || answers.count > limit {
            return ChangeBatch(changes: [], cursor: next, isComplete: false)
        }
        var changes: [StoreChange] = []
        for row in answers {
            var r = row.reader(from: 3)
            guard !r.nextIsNull else { continue }
            let kind: String = try r.next()
            guard let kind = StoreChange.Kind(rawValue: kind) else { continue }
            changes.append(
                StoreChange(
                    kind: kind, projectID: try r.next(), id: try r.next(), key: try r.next(), version: try r.next(),
                    committedAt: try r.next()))
        }
        return ChangeBatch(changes: changes, cursor: next, isComplete: true)
    }

    public func doorbells() -> AsyncStream<ChangeDoorbell> {
        doorbell.subscribe()
    }

    public var feedState: ChangeFeedState { doorbell.feedState }

    /// Deletes changes logged more than `retention` ago (a bounded number per
    /// call) and moves the pruned mark up to the newest of them, in one
    /// statement.
    @discardableResult
    func pruneChanges(olderThan retention: Duration, limit: Int = 50_000) async throws -> Int {
        let seconds = Double(retention.components.seconds) + Double(retention.components.attoseconds) / 1e18
        return try await rows(
            """
            WITH gone AS (
                DELETE FROM change_log WHERE id IN (
                    SELECT id FROM change_log WHERE committed_at < now() - make_interval(secs => \(seconds))
                    ORDER BY committed_at LIMIT \(Int64(limit)))
                RETURNING committed_at
            ),
            marked AS (
                UPDATE change_log_pruned SET before = greatest(before, (SELECT max(committed_at) FROM gone))
                WHERE EXISTS (SELECT 1 FROM gone)
            )
            SELECT count(*) FROM gone
            """
        ).first.map { Int(try $0.decode(Int64.self)) } ?? 0
    }
}

/// What a `ChangeCursor` of this backend holds: "snapshot@microseconds".
struct FeedCursor {
    var snapshot: String
    var taken: Instant

    init(snapshot: String, taken: Instant) {
        self.snapshot = snapshot
        self.taken = taken
    }

    init(_ cursor: ChangeCursor) throws {
        let parts = cursor.token.split(separator: "@")
        guard parts.count == 2, let micros = Int64(parts[1]) else {
            throw StoreError.failure("not a PostgreSQL change cursor: \(cursor.token)")
        }
        snapshot = String(parts[0])
        taken = Instant(microseconds: micros)
    }

    var cursor: ChangeCursor { ChangeCursor(token: "\(snapshot)@\(taken.microseconds)") }
}
