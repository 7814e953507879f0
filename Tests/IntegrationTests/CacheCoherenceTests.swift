import DiscountClient
import DiscountCore
import DiscountServices
import DiscountStore
import DiscountTestSupport
import Foundation
import TTRPC
import Testing

/// The daemon's caches follow other writers' changes (DESIGN.md, caches and
/// stores): an in-process daemon on SQLite whose store the test changes
/// behind its back, as another daemon would, reporting each change through a
/// fake feed. Without the change the cached answer stays (proving it is
/// cached); with it the answer follows.
@Suite struct CacheCoherenceTests {
    static let project = Project.defaultID

    @Test func anotherWritersChangesReachTheCachedCodeRuleAndToken() async throws {
        try await withFedDaemon { feed, daemon, owner in
            let rule = try await owner.makeRule(title: "Before")
            let code = try await owner.makeCode(rule, "COHERENT-1", usageLimit: 5)
            let created = try await owner.createToken(projectID: Self.project, scopes: ["read_price_rules"])
            let holder = try await daemon.client(.init(token: created.token))
            #expect(try await holder.lookupDiscountCode(code: "coherent-1").discountCode?.usageLimit == 5)
            #expect(try await holder.getPriceRule(id: rule.id).priceRule?.title == "Before")

            // Another writer: the store changes, the feed does not say so yet.
            var stored = try #require(try await daemon.store.discountCode(projectID: Self.project, id: code.id))
            stored.usageLimit = 7
            let updated = try #require(try await daemon.store.updateDiscountCode(stored))
            var storedRule = try #require(try await daemon.store.priceRule(projectID: Self.project, id: rule.id))
            storedRule.title = "After"
            let updatedRule = try #require(try await daemon.store.updatePriceRule(storedRule))
            let revoked = try #require(try await daemon.store.revokeToken(id: created.tokenId, at: .now()))
            #expect(try await holder.lookupDiscountCode(code: "coherent-1").discountCode?.usageLimit == 5, "served from cache")
            #expect(try await holder.getPriceRule(id: rule.id).priceRule?.title == "Before", "served from cache")

            feed.append(
                StoreChange(
                    kind: .discountCode, projectID: Self.project, id: code.id, key: updated.canonicalCode,
                    version: updated.version,
                    committedAt: .now()))
            feed.append(
                StoreChange(
                    kind: .priceRule, projectID: Self.project, id: rule.id, version: updatedRule.version, committedAt: .now()))
            let codeSeen = try await timeUntil(within: .seconds(10)) {
                try await owner.lookupDiscountCode(code: "coherent-1").discountCode?.usageLimit == 7
            }
            let ruleSeen = try await timeUntil(within: .seconds(10)) {
                try await owner.getPriceRule(id: rule.id).priceRule?.title == "After"
            }
            #expect(codeSeen != nil && ruleSeen != nil)

            feed.append(
                StoreChange(
                    kind: .token, projectID: Self.project, id: revoked.id, key: revoked.secretHash, version: 0,
                    committedAt: .now()))
            let refused = try await timeUntil(within: .seconds(10)) {
                await rpcCode { _ = try await holder.getPriceRule(id: rule.id) } == .unauthenticated
            }
            #expect(refused != nil, "the revoked token is refused")

            // Deleted elsewhere: gone here too.
            #expect(try await daemon.store.deleteDiscountCode(projectID: Self.project, id: code.id))
            feed.append(
                StoreChange(
                    kind: .discountCode, projectID: Self.project, id: code.id, key: updated.canonicalCode, version: 0,
                    committedAt: .now()))
            let gone = try await timeUntil(within: .seconds(10)) {
                await rpcCode { _ = try await owner.lookupDiscountCode(code: "coherent-1") } == .notFound
            }
            #expect(gone != nil, "the deleted code is not found")
            // Counted once every cache has had the batch.
            let counted = try await feedReaches(owner) { $0.changesApplied == 4 }
            let status = try #require(try await owner.serverInfo().changeFeed)
            #expect(counted != nil && status.cacheServing && status.listening && status.fullInvalidations == 0)
            await holder.close()
        }
    }

    @Test func anIncompleteBatchDropsEveryCache() async throws {
        try await withFedDaemon { feed, daemon, owner in
            let rule = try await owner.makeRule()
            let code = try await owner.makeCode(rule, "DROPPED-1", usageLimit: 5)
            let created = try await owner.createToken(projectID: Self.project, scopes: ["read_price_rules"])
            let holder = try await daemon.client(.init(token: created.token))
            #expect(try await holder.lookupDiscountCode(code: "dropped-1").discountCode?.usageLimit == 5)

            var stored = try #require(try await daemon.store.discountCode(projectID: Self.project, id: code.id))
            stored.usageLimit = 9
            _ = try await daemon.store.updateDiscountCode(stored)
            _ = try await daemon.store.revokeToken(id: created.tokenId, at: .now())
            #expect(try await owner.lookupDiscountCode(code: "dropped-1").discountCode?.usageLimit == 5, "served from cache")

            feed.missChanges()
            let seen = try await timeUntil(within: .seconds(10)) {
                try await owner.lookupDiscountCode(code: "dropped-1").discountCode?.usageLimit == 9
            }
            #expect(seen != nil)
            let refused = try await timeUntil(within: .seconds(10)) {
                await rpcCode { _ = try await holder.getPriceRule(id: rule.id) } == .unauthenticated
            }
            #expect(refused != nil, "the token revoked meanwhile is refused")
            let counted = try await feedReaches(owner) { $0.fullInvalidations == 1 }
            #expect(counted != nil)
            await holder.close()
        }
    }

    @Test func pastTheStalenessBoundCachedReadsGoToTheStoreOrFail() async throws {
        try await withFedDaemon(.init(stalenessBound: .seconds(1), pollInterval: .milliseconds(50))) { feed, daemon, owner in
            let rule = try await owner.makeRule()
            let code = try await owner.makeCode(rule, "STALE-1", usageLimit: 5)
            #expect(try await owner.lookupDiscountCode(code: "stale-1").discountCode?.usageLimit == 5, "the first read caches it")
            var stored = try #require(try await daemon.store.discountCode(projectID: Self.project, id: code.id))
            stored.usageLimit = 8
            _ = try await daemon.store.updateDiscountCode(stored)
            // The feed is being read: the cache serves.
            #expect(try await owner.lookupDiscountCode(code: "stale-1").discountCode?.usageLimit == 5, "served from cache")

            feed.setOutage("network cut")
            let stale = try await feedReaches(owner) { $0.cacheServing == false }
            #expect(stale != nil)
            let info = try #require(try await owner.serverInfo().changeFeed)
            #expect(info.caughtUpSecondsAgo > 1 && info.outage == "network cut" && !info.listening)
            #expect(try await owner.lookupDiscountCode(code: "stale-1").discountCode?.usageLimit == 8, "read from the store")

            // Back: the feed resynchronises and the cache serves again.
            feed.setOutage(nil)
            let serving = try await feedReaches(owner) { $0.cacheServing == true }
            #expect(serving != nil)

            // Lost again, and the store unreachable too: UNAVAILABLE, never the cached copy.
            feed.setOutage("network cut")
            _ = try await feedReaches(owner) { $0.cacheServing == false }
            await daemon.store.close()
            #expect(await rpcCode { _ = try await owner.lookupDiscountCode(code: "stale-1") } == .unavailable)
            #expect(await rpcCode { _ = try await owner.getPriceRule(id: rule.id) } == .unavailable)
        }
    }
}

/// An in-process daemon whose change feed the test drives, and a client on it, closed after `body`.
private func withFedDaemon(
    _ coherence: CacheCoherence.Options = .init(),
    _ body: (FakeChangeFeed, InProcessDaemon, DiscountClient) async throws -> Void
) async throws {
    let feed = FakeChangeFeed()
    var options = InProcessDaemon.Options()
    options.changeFeed = feed
    options.coherence = coherence
    try await withInProcessDaemon(options) { daemon in
        let owner = try await daemon.client()
        try await withCleanup {
            try await body(feed, daemon, owner)
        } then: {
            await owner.close()
        }
    }
}

/// Polls the daemon's change-feed status until `check` holds; how long that took, nil after 10 s.
private func feedReaches(
    _ client: DiscountClient, _ check: @escaping (ChangeFeedStatus) -> Bool
) async throws -> Duration? {
    try await timeUntil(within: .seconds(10)) {
        guard let status = try await client.serverInfo().changeFeed else { return false }
        return check(status)
    }
}

/// Polls `check` until it holds; how long that took, or nil when it did not within `within`.
func timeUntil(
    within: Duration, every interval: Duration = .milliseconds(5), _ check: () async throws -> Bool
) async throws -> Duration? {
    let clock = ContinuousClock()
    let start = clock.now
    repeat {
        if try await check() { return clock.now - start }
        try await Task.sleep(for: interval)
    } while clock.now - start < within
    return nil
}

/// The status a call failed with; nil when it succeeded.
func rpcCode(_ call: () async throws -> Void) async -> StatusCode? {
    do {
        try await call()
        return nil
    } catch let error as RPCError {
        return error.code
    } catch {
        return .unknown
    }
}
