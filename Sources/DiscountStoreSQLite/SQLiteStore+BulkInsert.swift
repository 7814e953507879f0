import DiscountCore
import DiscountStore

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
    /// Rows per transaction of a bulk insert. Each commit writes every page
    /// of the (randomly ordered) canonical-code index the chunk touched, so
    /// fewer, larger chunks write less; other writes wait for the writer at
    /// most one chunk (~0.3–0.5 s on a busy 2-vCPU machine).
    static let bulkChunkSize = 50_000

    /// Inserts chunk by chunk, each chunk its own write job (so it group-commits
    /// with whatever else is pending, and other writes get in between chunks).
    ///
    /// The rows go in ordered by id (by its first 8 bytes), so each chunk
    /// appends to the id-keyed indexes instead of touching every page of
    /// them. Time-ordered ids (as the services make) are already in order;
    /// random ones are sorted first.
    ///
    /// A code the project already has, or that the batch repeats, is skipped
    /// and its canonical code returned: of two spellings in one batch the one
    /// with the lower id is kept (with time-ordered ids, the earlier one).
    /// Chunks that committed stay committed if a later one fails or the
    /// caller is cancelled.
    public func insertDiscountCodes(_ codes: [DiscountCode]) async throws -> [String] {
        let order = Self.idOrder(codes)
        var rejected: [String] = []
        var start = 0
        while start < codes.count {
            let end = min(start + Self.bulkChunkSize, codes.count)
            let range = start..<end
            rejected += try await write(weight: range.count) { db in
                try Self.insertChunk(codes, order?[range], range, db)
            }
            start = end
        }
        return rejected
    }

    /// One chunk and its checkpoint, in one transaction (so at most
    /// `bulkChunkSize` codes: more would not be one chunk).
    public func insertDiscountCodes(
        _ codes: [DiscountCode], checkpoint: @escaping @Sendable ([String]) -> BulkCheckpoint
    ) async throws -> [String] {
        precondition(codes.count <= Self.bulkChunkSize, "a checkpointed chunk is one transaction")
        let order = Self.idOrder(codes)
        return try await write(weight: max(codes.count, 1)) { db in
            let rejected = try Self.insertChunk(codes, order?[...], codes.indices, db)
            try Self.saveBulkCheckpoint(checkpoint(rejected), db)
            return rejected
        }
    }

    /// The positions of `codes` in id-prefix order, or nil when they already are.
    private static func idOrder(_ codes: [DiscountCode]) -> [Int32]? {
        var previous: UInt64 = 0
        var sorted = true
        for code in codes {
            let key = idPrefix(code.id)
            if key < previous {
                sorted = false
                break
            }
            previous = key
        }
        if sorted { return nil }
        var keyed = codes.indices.map { (key: idPrefix(codes[$0].id), index: Int32($0)) }
        keyed.sort { $0.key < $1.key }  // stable: ties keep batch order
        return keyed.map(\.index)
    }

    private static func idPrefix(_ id: String) -> UInt64 {
        var key: UInt64 = 0
        var count = 0
        for byte in id.utf8.prefix(8) {
            key = key << 8 | UInt64(byte)
            count += 1
        }
        return count == 0 ? 0 : key &<< UInt64(8 * (8 - count))
    }

    /// Inserts `codes[order[p]]` (or `codes[p]` without an order) for each
    /// position p in `positions`.
    private static func insertChunk(
        _ codes: [DiscountCode], _ order: ArraySlice<Int32>?, _ positions: Range<Int>, _ db: SQLiteConnection
    ) throws -> [String] {
        var rejected: [String] = []
        try db.withStatement(SQL.insertUnlessTaken) { s in
            for position in positions {
                let code = codes[order.map { Int($0[position]) } ?? position]
                do {
                    // The texts are bound in place (no copies); the row is
                    // stepped while they are borrowed.
                    let inserted = try s.withBorrowedText(1, code.projectID) {
                        try s.withBorrowedText(2, code.id) {
                            try s.withBorrowedText(3, code.priceRuleID) {
                                try s.withBorrowedText(4, code.code) {
                                    try s.withBorrowedText(5, code.canonicalCode) {
                                        try s.bind(6, code.useWithOther)
                                        try s.bind(7, code.usageLimit)
                                        try s.bind(8, code.usageCount)
                                        try s.bind(9, code.createdAt)
                                        try s.bind(10, code.updatedAt)
                                        try s.bind(11, code.version)
                                        defer { s.rewind() }
                                        try s.step()
                                        return s.changes > 0
                                    }
                                }
                            }
                        }
                    }
                    if !inserted { rejected.append(code.canonicalCode) }
                } catch let error as SQLiteError {
                    throw codeWriteError(error, code)
                }
            }
        }
        return rejected
    }
}
