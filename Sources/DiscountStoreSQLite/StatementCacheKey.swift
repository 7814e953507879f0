/// A connection's statement-cache key: the SQL text, hashed from its length
/// and a sample of its bytes instead of all of them. Statements are looked up
/// by text several times per write on the writer thread, and the texts are
/// long (a column list alone runs to hundreds of bytes): hashing them whole
/// was about 7% of the writer's CPU in a redemption. Equality is still
/// the whole text; the SQL constants hand out the same string each time, so
/// a hit compares storage, not bytes.
struct StatementCacheKey: Hashable {
    let sql: String

    init(_ sql: String) {
        self.sql = sql
    }

    static func == (lhs: StatementCacheKey, rhs: StatementCacheKey) -> Bool {
        lhs.sql == rhs.sql
    }

    func hash(into hasher: inout Hasher) {
        let combined: Void? = sql.utf8.withContiguousStorageIfAvailable { Self.combine($0, into: &hasher) }
        if combined == nil {
            Array(sql.utf8).withUnsafeBufferPointer { Self.combine($0, into: &hasher) }
        }
    }

    /// The length and sixteen bytes spread over the text (all of a shorter one).
    private static func combine(_ bytes: UnsafeBufferPointer<UInt8>, into hasher: inout Hasher) {
        var sample = SIMD16<UInt8>()
        if !bytes.isEmpty {
            for lane in 0..<16 { sample[lane] = bytes[lane * (bytes.count - 1) / 15] }
        }
        hasher.combine(bytes.count)
        hasher.combine(sample)
    }
}
