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
    /// cost little next to the inserts, small enough that other writes wait
    /// for the writer at most a fraction of a second.
    static let bulkChunkSize = 25_000

    /// Inserts chunk by chunk, each chunk its own write job (so it group-commits
    /// with whatever else is pending, and other writes get in between chunks).
    ///
    /// A code the batch already had (the first spelling wins) or the project
    /// already has is skipped and its canonical code returned. Chunks that
    /// committed stay committed if a later one fails or the caller is cancelled.
    ///
    /// The rows go in roughly ordered by id, so each chunk appends to the id
    /// indexes instead of touching every page of them: with random (v4 UUID)
    /// ids that is most of what keeps a million codes within seconds.
    public func insertDiscountCodes(_ codes: [DiscountCode]) async throws -> [String] {
        var (rejected, order) = Self.firstSpellings(codes)
        Self.sortByIDPrefix(&order, codes)
        var start = order.startIndex
        while start < order.endIndex {
            let end = min(start + Self.bulkChunkSize, order.endIndex)
            let chunk = order[start..<end]
            rejected += try await write(weight: chunk.count) { db in
                try Self.insertChunk(codes, chunk, db)
            }
            start = end
        }
        return rejected
    }

    /// The canonical codes repeated within the batch, and the indices of the
    /// codes to insert (the first of each canonical code per project).
    private static func firstSpellings(_ codes: [DiscountCode]) -> (repeated: [String], keep: [Int32]) {
        var repeated: [String] = []
        var keep: [Int32] = []
        keep.reserveCapacity(codes.count)
        if let project = codes.first?.projectID, codes.allSatisfy({ $0.projectID == project }) {
            var seen = Set<String>(minimumCapacity: codes.count)
            for index in codes.indices {
                if seen.insert(codes[index].canonicalCode).inserted {
                    keep.append(Int32(index))
                } else {
                    repeated.append(codes[index].canonicalCode)
                }
            }
        } else {
            var seen = Set<ProjectCode>(minimumCapacity: codes.count)
            for index in codes.indices {
                let code = codes[index]
                if seen.insert(ProjectCode(projectID: code.projectID, canonicalCode: code.canonicalCode)).inserted {
                    keep.append(Int32(index))
                } else {
                    repeated.append(code.canonicalCode)
                }
            }
        }
        return (repeated, keep)
    }

    /// Orders by the first 8 bytes of the id: cheap, and enough to make the
    /// inserts into the id-keyed indexes sequential. (Only a locality hint:
    /// correctness does not depend on the order.)
    private static func sortByIDPrefix(_ order: inout [Int32], _ codes: [DiscountCode]) {
        var keyed = order.map { (key: idPrefix(codes[Int($0)].id), index: $0) }
        keyed.sort { $0.key < $1.key }
        for position in keyed.indices { order[position] = keyed[position].index }
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

    private static func insertChunk(
        _ codes: [DiscountCode], _ chunk: ArraySlice<Int32>, _ db: SQLiteConnection
    ) throws -> [String] {
        var rejected: [String] = []
        try db.withStatement(SQL.insertUnlessTaken) { s in
            for index in chunk {
                let code = codes[Int(index)]
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

private struct ProjectCode: Hashable {
    var projectID: String
    var canonicalCode: String
}
