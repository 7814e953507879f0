import Testing

@testable import DiscountStoreSQLite

/// The statement cache's key: hashed from a sample, equal only on the whole text.
@Suite struct StatementCacheKeyTests {
    static let select = "SELECT id, code, usage_count FROM discount_codes WHERE project_id = ?1 AND id = ?2"

    @Test func theSameTextInOtherStorageIsTheSameKey() {
        let assembled = String(Self.select.utf8.map { Character(Unicode.Scalar($0)) })
        #expect(StatementCacheKey(assembled) == StatementCacheKey(Self.select))
        #expect(StatementCacheKey(assembled).hashValue == StatementCacheKey(Self.select).hashValue)
    }

    @Test func textsThatDifferOnlyBetweenSampledBytesAreTwoKeys() {
        // Same length, same sample: only the byte after the first differs.
        var bytes = Array(Self.select.utf8)
        bytes[1] = UInt8(ascii: "X")
        let other = String(decoding: bytes, as: UTF8.self)
        #expect(StatementCacheKey(other).hashValue == StatementCacheKey(Self.select).hashValue)
        #expect(StatementCacheKey(other) != StatementCacheKey(Self.select))

        var cache: [StatementCacheKey: Int] = [StatementCacheKey(Self.select): 1]
        cache[StatementCacheKey(other)] = 2
        #expect(cache.count == 2)
        #expect(cache[StatementCacheKey(Self.select)] == 1)
    }

    @Test(arguments: ["", "x", "BEGIN", String(repeating: "é", count: 40)])
    func shortAndNonASCIITextsAreKeysToo(_ sql: String) {
        let copy = String(decoding: Array(sql.utf8), as: UTF8.self)
        #expect(StatementCacheKey(copy) == StatementCacheKey(sql))
        #expect(StatementCacheKey(copy).hashValue == StatementCacheKey(sql).hashValue)
    }
}
