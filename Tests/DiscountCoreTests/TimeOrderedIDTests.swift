import SystemRandom
import Testing

@testable import DiscountCore

@Suite struct TimeOrderedIDTests {
    @Test func idsSortInCreationOrder() {
        let ids = (0..<10_000).map { _ in TimeOrderedID.make() }
        #expect(ids == ids.sorted())
        #expect(Set(ids).count == ids.count)
    }

    @Test func idsLookLikeUUIDv7() {
        let id = TimeOrderedID.make()
        #expect(id.count == 36)
        let parts = id.split(separator: "-")
        #expect(parts.map(\.count) == [8, 4, 4, 4, 12])
        #expect(parts[2].first == "7")
        #expect("89ab".contains(parts[3].first!))
    }

    @Test func theTailIsTheRandomBitsAfterTheVariantAndTheHeadIsTheMillisecond() throws {
        let before = UInt64(Instant.now().microseconds / 1000)
        let ones = TimeOrderedID.make(randomTail: .max).split(separator: "-")
        let zeros = TimeOrderedID.make(randomTail: 0).split(separator: "-")
        let pattern = TimeOrderedID.make(randomTail: 0x0123_4567_89AB_CDEF).split(separator: "-")
        #expect(ones[3...] == ["bfff", "ffffffffffff"])
        #expect(zeros[3...] == ["8000", "000000000000"])
        #expect(pattern[3...] == ["8123", "456789abcdef"])
        let milliseconds = try #require(UInt64(ones[0] + ones[1], radix: 16))
        #expect(milliseconds >= before && milliseconds <= before + 1_000)
    }

    @Test func onlyItsOwnFormIsWellFormed() {
        #expect(TimeOrderedID.isWellFormed(TimeOrderedID.make()))
        #expect(!TimeOrderedID.isWellFormed(""))
        #expect(!TimeOrderedID.isWellFormed("not-a-token"))
        #expect(!TimeOrderedID.isWellFormed("01A20172-E710-7000-8725-D7C01505327C"))
        #expect(!TimeOrderedID.isWellFormed("01a20172e710-7000-8725-d7c01505327c-"))
    }
}
