import DiscountCore

private enum SQL {
    /// Only the canonical code's uniqueness is resolved quietly; any other
    /// conflict (a repeated id, a missing rule) fails the chunk.
    static let insertUnlessTaken = """
        INSERT INTO discount_codes (\(SQLiteRows.discountCodeColumns))
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
        ON CONFLICT (project_id, canonical_code) DO NOTHING
        """
}

extension SQLiteStore {
    /// Rows per transaction of a bulk insert: big enough that the commits
    /// cost nothing next to the inserts, small enough that other writes wait
    /// at most a few tens of milliseconds for the writer.
    static let bulkChunkSize = 25_000

    /// Inserts chunk by chunk, each chunk its own write job (so it group-commits
    /// with whatever else is pending and other writes get in between chunks).
    /// A code the project already has, or one the batch already had, is
    /// skipped and its canonical code returned. Chunks that committed stay
    /// committed if a later one fails or the caller is cancelled.
    public func insertDiscountCodes(_ codes: [DiscountCode]) async throws -> [String] {
        var rejected: [String] = []
        var start = codes.startIndex
        while start < codes.endIndex {
            let end = min(start + Self.bulkChunkSize, codes.endIndex)
            let chunk = codes[start..<end]
            rejected += try await write(weight: chunk.count) { db in
                try Self.insertChunk(chunk, db)
            }
            start = end
        }
        return rejected
    }

    private static func insertChunk(_ chunk: ArraySlice<DiscountCode>, _ db: SQLiteConnection) throws -> [String] {
        var rejected: [String] = []
        try db.withStatement(SQL.insertUnlessTaken) { s in
            for code in chunk {
                try bindInsert(s, code)
                do {
                    try s.step()
                } catch let error as SQLiteError {
                    throw codeWriteError(error, code)
                }
                if s.changes == 0 { rejected.append(code.canonicalCode) }
                s.rewind()
            }
        }
        return rejected
    }
}
