import DiscountStore

/// One daemon owns the file (the data folder's lock), so no other writer
/// exists whose changes a cache could miss: the feed is always empty.
extension SQLiteStore: ChangeFeed {
    public func currentChangeCursor() async throws -> ChangeCursor {
        try await SingleWriterChangeFeed().currentChangeCursor()
    }

    public func changes(after cursor: ChangeCursor, limit: Int) async throws -> ChangeBatch {
        try await SingleWriterChangeFeed().changes(after: cursor, limit: limit)
    }

    public func doorbells() -> AsyncStream<ChangeDoorbell> {
        SingleWriterChangeFeed().doorbells()
    }

    public var feedState: ChangeFeedState { SingleWriterChangeFeed().feedState }
}
