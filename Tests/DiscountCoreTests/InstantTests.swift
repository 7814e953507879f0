import Testing

@testable import DiscountCore

@Suite struct InstantTests {
    @Test func splitsIntoSecondsAndNanos() {
        let instant = Instant(seconds: -2, nanos: 500_000_000)
        #expect(instant.seconds == -2)
        #expect(instant.nanos == 500_000_000)
    }

    @Test func wireTimesOutsideTimestampRangeAreRefusedNotTrapped() {
        #expect(Instant(wireSeconds: 9_300_000_000_000, nanos: 0) == nil)
        #expect(Instant(wireSeconds: .max, nanos: .max) == nil)
        #expect(Instant(wireSeconds: .min, nanos: 0) == nil)
        #expect(Instant(wireSeconds: 253_402_300_800, nanos: 0) == nil)  // 10000-01-01
        #expect(Instant(wireSeconds: -62_135_596_801, nanos: 0) == nil)  // before 0001-01-01
        #expect(Instant(wireSeconds: 0, nanos: -1) == nil)
        #expect(Instant(wireSeconds: 0, nanos: 1_000_000_000) == nil)
        #expect(Instant(wireSeconds: 253_402_300_799, nanos: 999_999_999)?.seconds == 253_402_300_799)
        #expect(Instant(wireSeconds: -62_135_596_800, nanos: 0)?.seconds == -62_135_596_800)
    }

    @Test func addingSaturatesInsteadOfTrapping() {
        let now = Instant(seconds: 1_800_000_000)
        #expect(now.adding(seconds: .max).microseconds == .max)
        #expect(now.adding(seconds: .min).microseconds == .min)
        #expect(now.adding(seconds: 86_400).seconds == 1_800_086_400)
    }
}

@Suite struct MoneyTests {
    @Test func commissionIsExactAtTheLargestSubtotalAndNeverTraps() {
        let largest = OrderAttribution.maxSubtotal
        #expect(OrderAttribution.commission(subtotal: largest, percent: 100, state: .paid) == largest)
        #expect(OrderAttribution.commission(subtotal: .max, percent: 100, state: .paid) == .max)
        #expect(OrderAttribution.commission(subtotal: .max, percent: .infinity, state: .paid) == .max)
        #expect(OrderAttribution.commission(subtotal: 100, percent: .nan, state: .paid) == 0)
        #expect(OrderAttribution.commission(subtotal: 1_000, percent: 12.5, state: .paid) == 125)
    }

    @Test func currenciesAreISO4217() {
        #expect(CurrencyCode.validated("usd") == "USD")
        #expect(CurrencyCode.validated("EUR") == "EUR")
        #expect(CurrencyCode.validated("USS") == nil)
        #expect(CurrencyCode.validated("XXX") == nil)
        #expect(CurrencyCode.validated("US") == nil)
    }
}
