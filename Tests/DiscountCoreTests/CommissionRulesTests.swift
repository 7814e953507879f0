import DiscountCore
import Testing

/// The pure Commission rules: code format, backoff, commission arithmetic.
@Suite struct CommissionRulesTests {
    @Test(arguments: [
        ("Acme Sales", "ACME"), ("a.c-m e", "ACME"), ("Jo", "JO"), ("ümlaut 42x", "MLAU"), ("!!!", "AGNT"), ("x1y2z3", "X1Y2"),
        ("straße", "STRA"), ("ßeta", "SSET"), ("Zoë Ω", "ZO"), ("abcdé", "ABCD"), ("", "AGNT"),
    ])
    func agentPart(name: String, expected: String) {
        #expect(AgentCodeFormat.agentPart(name) == expected)
    }

    @Test func codeFormat() {
        var seen = Set<String>()
        for _ in 0..<2_000 {
            let code = AgentCodeFormat.make(agentName: "Acme Sales")
            #expect(code.wholeMatch(of: /CC-ACME-[A-Z0-9]{4}/) != nil, "\(code)")
            seen.insert(code)
        }
        // 2,000 draws from 36⁴ codes: a handful of repeats at most, and every
        // character of the alphabet in every position.
        #expect(seen.count > 1_990)
        for position in 0..<4 {
            let used = Set(seen.map { Array($0.suffix(4))[position] })
            #expect(used.count == 36, "position \(position) used \(used.count) characters")
        }
    }

    @Test func backoffGrowsToItsCapWithFullJitter() {
        let backoff = Backoff(baseSeconds: 0.5, capSeconds: 30)
        #expect(backoff.ceiling(attempt: 0) == 0.5)
        #expect(backoff.ceiling(attempt: 3) == 4)
        #expect(backoff.ceiling(attempt: 10) == 30)
        #expect(backoff.ceiling(attempt: 1000) == 30)
        let delays = (0..<500).map { _ in backoff.delay(attempt: 4) }
        #expect(delays.allSatisfy { (0...8).contains($0) })
        #expect(Set(delays.map { Int($0) }).count > 3, "jittered, not fixed")
    }

    @Test func commissionOnlyForPaidOrders() {
        #expect(OrderAttribution.commission(subtotal: 8_500, percent: 10, state: .paid) == 850)
        #expect(OrderAttribution.commission(subtotal: 999, percent: 12.5, state: .paid) == 125)
        for state in [OrderState.pending, .cancelled, .refunded] {
            #expect(OrderAttribution.commission(subtotal: 8_500, percent: 10, state: state) == 0)
        }
    }

    @Test func syncStatusesOnTheWireAreTheSeeds() {
        #expect(ShopifySyncStatus.pending.wireValue == "failed")
        #expect(Set(ShopifySyncStatus.allCases.map(\.wireValue)) == ["synced", "failed", "skipped_no_credentials"])
        #expect(
            ShopifySyncError.allCases.map(\.rawValue) == [
                "missing_shopify_credentials", "shopify_scope_missing", "discount_code_conflict", "shopify_rate_limited",
                "shopify_sync_failed", "unexpected_shopify_discount_error",
            ])
    }
}
