import DiscountCore

/// The PriceRules cache: codes by id and by canonical text, rules by id, all
/// scoped by project. Written through after every committed change.
final class PriceRulesCache: Sendable {
    /// A key within a project. Its hash is computed once: a write-through
    /// `put` looks a key up several times (both generations, then inserts).
    private struct Scoped: Hashable, Sendable {
        let projectID: String
        let key: String
        private let hash: Int

        init(projectID: String, key: String) {
            self.projectID = projectID
            self.key = key
            var hasher = Hasher()
            hasher.combine(projectID)
            hasher.combine(key)
            hash = hasher.finalize()
        }

        static func == (a: Scoped, b: Scoped) -> Bool {
            a.hash == b.hash && a.key == b.key && a.projectID == b.projectID
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(hash)
        }
    }

    private let codes: VersionedCache<Scoped, DiscountCodeRecord>
    private let codeIDs: VersionedCache<Scoped, String>
    private let rules: VersionedCache<Scoped, PriceRuleRecord>
    /// Past the staleness bound every lookup misses, so reads go to the store.
    private let freshness: CacheFreshness

    init(capacity: Int, freshness: CacheFreshness = .unbounded) {
        self.freshness = freshness
        codes = VersionedCache(capacity: capacity)
        codeIDs = VersionedCache(capacity: capacity)
        rules = VersionedCache(capacity: max(1024, capacity / 16))
    }

    func code(projectID: String, id: String) -> DiscountCodeRecord? {
        guard freshness.isFresh else { return nil }
        return codes.value(for: Scoped(projectID: projectID, key: id))
    }

    func code(projectID: String, canonicalCode: String) -> DiscountCodeRecord? {
        guard freshness.isFresh, let id = codeIDs.value(for: Scoped(projectID: projectID, key: canonicalCode)),
            let code = codes.value(for: Scoped(projectID: projectID, key: id)),
            code.canonicalCode == canonicalCode
        else { return nil }
        return code
    }

    func rule(projectID: String, id: String) -> PriceRuleRecord? {
        guard freshness.isFresh else { return nil }
        return rules.value(for: Scoped(projectID: projectID, key: id))
    }

    func put(_ code: DiscountCodeRecord) {
        codes.put(Scoped(projectID: code.projectID, key: code.id), code, version: code.version)
        // The text index is checked against the code on every hit, so the
        // latest mapping can simply win.
        codeIDs.set(Scoped(projectID: code.projectID, key: code.canonicalCode), code.id)
    }

    func put(_ rule: PriceRuleRecord) {
        rules.put(Scoped(projectID: rule.projectID, key: rule.id), rule, version: rule.version)
    }

    /// Keeps the code and rule a redemption saw (counted or not).
    func note(_ outcome: RedemptionOutcome) {
        switch outcome {
        case .redeemed(let code, let rule), .alreadyRedeemed(let code, let rule), .refused(_, let code, let rule):
            put(code)
            put(rule)
        case .codeNotFound:
            break
        }
    }

    func removeCode(_ code: DiscountCodeRecord) {
        codes.remove(Scoped(projectID: code.projectID, key: code.id))
        codeIDs.remove(Scoped(projectID: code.projectID, key: code.canonicalCode))
    }

    /// Forgets a deleted rule and every code cached under it.
    func removeRule(projectID: String, id: String) {
        rules.remove(Scoped(projectID: projectID, key: id))
        codes.removeAll { key, code in key.projectID == projectID && code.priceRuleID == id }
    }

    /// Another writer changed (or deleted, `version` 0) this code: forgets
    /// any older copy. The text index needs no change: a hit by text is
    /// checked against the code by id.
    func invalidateCode(projectID: String, id: String, version: Int64) {
        codes.remove(Scoped(projectID: projectID, key: id), olderThan: version)
    }

    /// Another writer changed (or deleted) this rule. A deletion also logs
    /// each of its codes, so they are not scanned for here.
    func invalidateRule(projectID: String, id: String, version: Int64) {
        rules.remove(Scoped(projectID: projectID, key: id), olderThan: version)
    }

    /// Some changes may have been missed: nothing cached can be trusted.
    func removeAll() {
        codes.removeAll()
        codeIDs.removeAll()
        rules.removeAll()
    }

    /// Hits and misses of code lookups (by id or text) and rule lookups.
    var counts: (hits: UInt64, misses: UInt64) {
        let code = codes.counts
        let rule = rules.counts
        return (code.hits + rule.hits, code.misses + rule.misses)
    }
}
