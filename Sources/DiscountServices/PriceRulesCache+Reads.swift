import DiscountCore

extension PriceRulesCache {
    /// What may be read of the cache from anywhere (the event loop's fast
    /// path included). Changes go only through `PriceRuleBook`, which owns
    /// the cache and writes it after each commit.
    struct Reads: Sendable {
        fileprivate let cache: PriceRulesCache

        func code(projectID: String, id: String) -> DiscountCodeRecord? { cache.code(projectID: projectID, id: id) }

        func code(projectID: String, canonicalCode: String) -> DiscountCodeRecord? {
            cache.code(projectID: projectID, canonicalCode: canonicalCode)
        }

        func rule(projectID: String, id: String) -> PriceRuleRecord? { cache.rule(projectID: projectID, id: id) }

        var counts: (hits: UInt64, misses: UInt64) { cache.counts }
    }

    var reads: Reads { Reads(cache: self) }
}
