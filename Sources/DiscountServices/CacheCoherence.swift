import DiscountCore
import DiscountStore
import Logging
import Synchronization

/// Keeps this daemon's caches coherent with other writers to the same store
/// (several daemons on one PostgreSQL): follows the store's change feed and
/// forgets every cached entry another writer changed, through the book or
/// authority that owns that cache.
///
/// It reads the feed when a doorbell rings, when doorbells resume after a
/// loss (anything may have been missed), every `lostPollInterval` while they
/// are lost, and every `pollInterval` in any case (a doorbell can be lost
/// without anyone noticing yet). Each read that succeeds moves `freshness`
/// to the moment it began; when none has for longer than the staleness bound,
/// cached reads stop answering from memory.
public final class CacheCoherence: Sendable {
    public struct Options: Sendable {
        /// Cached reads stop answering once the feed has not been read to the
        /// present for this long.
        public var stalenessBound: Duration
        /// How often the feed is read whatever the doorbells say: well inside
        /// the bound, so an idle feed keeps the caches serving.
        public var pollInterval: Duration
        /// How often it is read while doorbells are lost.
        public var lostPollInterval: Duration
        /// Changes asked for per read; past it every cache is dropped instead.
        public var batchLimit: Int

        public init(
            stalenessBound: Duration = .seconds(1), pollInterval: Duration? = nil,
            lostPollInterval: Duration = .milliseconds(100), batchLimit: Int = 10_000
        ) {
            let poll = pollInterval ?? stalenessBound / 4
            self.stalenessBound = stalenessBound
            self.pollInterval = poll
            self.lostPollInterval = min(lostPollInterval, poll)
            self.batchLimit = batchLimit
        }
    }

    /// What Admin.ServerInfo and Stats report about the feed.
    public struct Status: Sendable {
        public var feed: ChangeFeedState
        public var caughtUpAgo: Duration
        /// Commit (the database's clock) to application here (this host's) of the last change applied.
        public var lastChangeLag: Duration?
        public var stalenessBound: Duration?
        public var cacheServing: Bool
        public var changesApplied: UInt64
        public var fullInvalidations: UInt64
    }

    private struct Progress {
        var lastChangeLag: Duration?
        var changesApplied: UInt64 = 0
        var fullInvalidations: UInt64 = 0
    }

    let feed: any ChangeFeed
    public let freshness: CacheFreshness
    let options: Options
    private let targets: [any CacheInvalidating]
    private let logger: Logger
    private let doorbellsLost = Atomic<Bool>(false)
    /// Whether the last read of the feed failed: failures are logged once, not at every poll.
    private let readsFailing = Atomic<Bool>(false)
    private let progress = Mutex(Progress())

    init(feed: any ChangeFeed, freshness: CacheFreshness, options: Options, targets: [any CacheInvalidating], logger: Logger) {
        self.feed = feed
        self.freshness = freshness
        self.options = options
        self.targets = targets
        self.logger = logger
    }

    public var status: Status {
        let progress = progress.withLock { $0 }
        return Status(
            feed: feed.feedState, caughtUpAgo: freshness.caughtUpAgo, lastChangeLag: progress.lastChangeLag,
            stalenessBound: freshness.bound, cacheServing: freshness.isFresh, changesApplied: progress.changesApplied,
            fullInvalidations: progress.fullInvalidations)
    }

    /// Follows the feed until cancelled.
    public func run() async {
        guard var cursor = await startingCursor() else { return }
        // A wake is a reason to read the feed (a doorbell, a poll); wakes that
        // come while a read runs make one more read, not one each.
        let (wakes, waker) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen(waker) }
            group.addTask { await self.poll(waker) }
            for await _ in wakes {
                cursor = await catchUp(from: cursor)
            }
            group.cancelAll()
        }
    }

    /// Where to start: the present. Caches are empty at start, so nothing
    /// before it matters; until it is known, nothing is fresh.
    private func startingCursor() async -> ChangeCursor? {
        while !Task.isCancelled {
            let began = CacheFreshness.monotonicNanos()
            do {
                let cursor = try await feed.currentChangeCursor()
                freshness.caughtUp(asOf: began)
                return cursor
            } catch {
                logger.warning("change feed: cannot start", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: options.lostPollInterval)
            }
        }
        return nil
    }

    private func listen(_ waker: AsyncStream<Void>.Continuation) async {
        for await doorbell in feed.doorbells() {
            // Noted here, not by the reader: wakes are coalesced.
            doorbellsLost.store(doorbell == .lost, ordering: .relaxed)
            waker.yield()
        }
    }

    private func poll(_ waker: AsyncStream<Void>.Continuation) async {
        while !Task.isCancelled {
            let lost = doorbellsLost.load(ordering: .relaxed)
            try? await Task.sleep(for: lost ? options.lostPollInterval : options.pollInterval)
            waker.yield()
        }
        waker.finish()
    }

    /// Reads what was committed since `cursor` and applies it; the cursor to
    /// go on from (the same one when the read failed: it is retried).
    func catchUp(from cursor: ChangeCursor) async -> ChangeCursor {
        let began = CacheFreshness.monotonicNanos()
        let batch: ChangeBatch
        do {
            batch = try await feed.changes(after: cursor, limit: options.batchLimit)
        } catch {
            if !readsFailing.exchange(true, ordering: .relaxed) {
                logger.warning(
                    "change feed: cannot read other daemons' changes; cached reads stop once the staleness bound passes",
                    metadata: ["error": "\(error)"])
            }
            return cursor
        }
        if readsFailing.exchange(false, ordering: .relaxed) { logger.notice("change feed: reading again") }
        await apply(batch)
        freshness.caughtUp(asOf: began)
        return batch.cursor
    }

    private func apply(_ batch: ChangeBatch) async {
        guard batch.isComplete else {
            logger.notice("change feed: changes were missed; dropping every cache")
            for target in targets { await target.invalidateAll() }
            progress.withLock { $0.fullInvalidations += 1 }
            return
        }
        guard let last = batch.changes.last else { return }
        for target in targets { await target.invalidate(batch.changes) }
        let lag = Duration.microseconds(max(0, Instant.now().microseconds - last.committedAt.microseconds))
        progress.withLock {
            $0.changesApplied += UInt64(batch.changes.count)
            $0.lastChangeLag = lag
        }
    }
}

/// An owner of a cache that other writers' changes can make stale. Each
/// applies changes in its own isolation domain (the book's actor, the
/// authority's lock), as it does its own writes.
protocol CacheInvalidating: Sendable {
    /// Forgets what these changes (committed by any writer) made stale.
    func invalidate(_ changes: [StoreChange]) async
    /// Forgets everything: changes were missed.
    func invalidateAll() async
}

extension PriceRuleBook: CacheInvalidating {}
extension CommissionBook: CacheInvalidating {}
extension TokenAuthority: CacheInvalidating {}
