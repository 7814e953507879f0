import Testing

@testable import DiscountServices

@Suite struct VersionedCacheTests {
    @Test func keepsTheNewestVersion() {
        let cache = VersionedCache<String, String>(capacity: 10)
        cache.put("a", "v2", version: 2)
        cache.put("a", "v1", version: 1)  // a slow read arriving late
        #expect(cache.value(for: "a") == "v2")
        cache.put("a", "v3", version: 3)
        #expect(cache.value(for: "a") == "v3")
    }

    @Test func staysWithinItsCapacity() {
        let cache = VersionedCache<Int, Int>(capacity: 100)
        for key in 0..<10_000 { cache.put(key, key, version: 1) }
        #expect(cache.counts.entries <= 100)
        #expect(cache.value(for: 9_999) == 9_999)
        #expect(cache.value(for: 0) == nil)
    }

    @Test func recentlyUsedEntriesSurviveAGenerationChange() {
        let cache = VersionedCache<Int, Int>(capacity: 4)
        cache.put(1, 1, version: 1)
        cache.put(2, 2, version: 1)
        _ = cache.value(for: 1)  // 1 and 2 are young; generation size is 2
        cache.put(3, 3, version: 1)  // young -> old
        _ = cache.value(for: 1)  // promoted back
        cache.put(4, 4, version: 1)
        cache.put(5, 5, version: 1)  // old (holding 2) is dropped
        #expect(cache.value(for: 1) != nil || cache.value(for: 5) != nil)
        #expect(cache.counts.entries <= 4)
    }

    @Test func countsHitsAndMisses() {
        let cache = VersionedCache<String, Int>(capacity: 8)
        cache.put("x", 1, version: 1)
        _ = cache.value(for: "x")
        _ = cache.value(for: "y")
        #expect(cache.counts.hits == 1)
        #expect(cache.counts.misses == 1)
    }

    @Test func setOverwritesWithoutVersions() {
        let cache = VersionedCache<String, String>(capacity: 8)
        cache.set("k", "first")
        cache.set("k", "second")
        #expect(cache.value(for: "k") == "second")
    }
}

@Suite struct AuthorizerTests {
    @Test func parsesBearerTokens() {
        #expect(Authorizer.bearerToken("Bearer abc") == "abc")
        #expect(Authorizer.bearerToken("bearer   abc") == "abc")
        #expect(Authorizer.bearerToken("Basic abc") == nil)
        #expect(Authorizer.bearerToken("Bearer ") == nil)
        #expect(Authorizer.bearerToken("abc") == nil)
    }

    @Test func principalsNeedTheirScope() {
        let reader = Principal(projectID: "p", scopes: [.readPriceRules])
        #expect(throws: ServiceError.scopeMissing(.writePriceRules)) { try reader.require(.writePriceRules) }
        #expect(throws: Never.self) { try reader.require(.readPriceRules) }
    }
}
