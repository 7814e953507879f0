import DiscountCore
import Testing

@testable import DiscountServices

@Suite struct CacheFreshnessTests {
    @Test func freshUntilTheBoundPassesWithoutACatchUp() async throws {
        let freshness = CacheFreshness(bound: .milliseconds(50))
        #expect(freshness.isFresh)
        try await Task.sleep(for: .milliseconds(80))
        #expect(!freshness.isFresh)
        #expect(freshness.caughtUpAgo >= .milliseconds(50))
        freshness.caughtUp(asOf: CacheFreshness.monotonicNanos())
        #expect(freshness.isFresh)
    }

    @Test func aLateCatchUpNeverMovesItBack() {
        let freshness = CacheFreshness(bound: .seconds(1))
        let now = CacheFreshness.monotonicNanos()
        freshness.caughtUp(asOf: now)
        freshness.caughtUp(asOf: now - 5_000_000_000)
        #expect(freshness.caughtUpAgo < .seconds(1))
    }

    @Test func aSingleWritersCachesNeverGoStale() {
        #expect(CacheFreshness.unbounded.bound == nil)
        #expect(CacheFreshness.unbounded.isFresh)
    }

    @Test func aStaleCacheAnswersNothing() async throws {
        let cache = PriceRulesCache(capacity: 16, freshness: CacheFreshness(bound: .milliseconds(30)))
        let rule = PriceRuleRecord(
            id: "r", projectID: "p", title: "t", valueKind: .percentage, value: 10, startsAt: Instant(microseconds: 0),
            createdAt: Instant(microseconds: 0), updatedAt: Instant(microseconds: 0))
        cache.put(rule)
        #expect(cache.rule(projectID: "p", id: "r")?.title == "t")
        try await Task.sleep(for: .milliseconds(60))
        // Past the bound a lookup misses (and so goes to the store), whatever the cache holds.
        #expect(cache.rule(projectID: "p", id: "r") == nil)
    }

    @Test func anInvalidationSparesACopyAtLeastAsNew() {
        let cache = VersionedCache<String, String>(capacity: 10)
        cache.put("a", "v3", version: 3)
        cache.remove("a", olderThan: 3)  // this daemon's own write, reported back
        #expect(cache.value(for: "a") == "v3")
        cache.remove("a", olderThan: 4)  // another writer's newer one
        #expect(cache.value(for: "a") == nil)
        cache.put("b", "v1", version: 1)
        cache.remove("b", olderThan: 0)  // a deletion
        #expect(cache.value(for: "b") == nil)
    }
}
