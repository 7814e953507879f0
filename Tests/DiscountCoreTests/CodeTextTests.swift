import Testing

@testable import DiscountCore

@Suite struct CodeTextTests {
    @Test func trimsAndUpperCasesTheKey() {
        #expect(CodeText.validated("  summer10 \n") == .success("summer10"))
        #expect(CodeText.canonical("  summer10 ") == "SUMMER10")
    }

    @Test func rejectsEmptyLongAndUnprintable() {
        #expect(CodeText.validated("   ") == .failure(.empty))
        #expect(CodeText.validated(String(repeating: "A", count: 256)) == .failure(.tooLong(256)))
        #expect(CodeText.validated(String(repeating: "A", count: 255)) == .success(String(repeating: "A", count: 255)))
        #expect(CodeText.validated("AB\u{7}C") == .failure(.notPrintable))
    }
}

@Suite struct CodeGeneratorTests {
    @Test func defaultAlphabetHasNoLookAlikes() throws {
        let generator = try CodeGenerator(prefix: "SALE-", length: 10)
        for code in generator.generate(2000) {
            #expect(code.hasPrefix("SALE-"))
            #expect(code.count == 15)
            #expect(!code.dropFirst(5).contains { "0O1IL".contains($0) })
        }
    }

    @Test func generatesDistinctCodes() throws {
        let codes = try CodeGenerator(length: 6).generate(50_000)
        #expect(Set(codes).count == 50_000)
    }

    @Test func knowsWhenItCannotFill() throws {
        let generator = try CodeGenerator(length: 2, charset: "AB")
        #expect(generator.capacity == 4)
        #expect(generator.canFill(2))
        #expect(!generator.canFill(3))
    }

    @Test func capacityCountsCaseInsensitively() throws {
        #expect(try CodeGenerator(length: 3, charset: "aA").capacity == 1)
    }

    @Test func rejectsBadParameters() {
        #expect(throws: GeneratorProblem.badLength(0)) { try CodeGenerator(length: 0) }
        #expect(throws: GeneratorProblem.charsetTooSmall) { try CodeGenerator(charset: "AAAA") }
        #expect(throws: GeneratorProblem.codeTooLong) { try CodeGenerator(prefix: String(repeating: "P", count: 250), length: 10) }
    }
}

@Suite struct RedemptionPolicyTests {
    let now = Instant(seconds: 1_800_000_000)

    func rule(starts: Int64 = -10, ends: Int64? = nil, limit: Int64? = nil, used: Int64 = 0, once: Bool = false) -> PriceRule {
        PriceRule(
            id: "r", projectID: "p", title: "t", valueKind: .percentage, value: 10,
            startsAt: now.adding(seconds: starts), endsAt: ends.map { now.adding(seconds: $0) },
            usageLimit: limit, usageCount: used, oncePerCustomer: once, createdAt: now, updatedAt: now)
    }

    func code(limit: Int64? = nil, used: Int64 = 0) -> DiscountCode {
        DiscountCode(id: "c", projectID: "p", priceRuleID: "r", code: "X", usageLimit: limit, usageCount: used, createdAt: now, updatedAt: now)
    }

    @Test func admitsWithinEveryLimit() {
        #expect(RedemptionPolicy.refusal(code: code(limit: 2, used: 1), rule: rule(ends: 10, limit: 5, used: 4), customerAlreadyRedeemed: false, at: now) == nil)
    }

    @Test func refusesOutsideTheWindow() {
        #expect(RedemptionPolicy.refusal(code: code(), rule: rule(starts: 5), customerAlreadyRedeemed: false, at: now) == .notYetActive)
        #expect(RedemptionPolicy.refusal(code: code(), rule: rule(ends: 0), customerAlreadyRedeemed: false, at: now) == .expired)
    }

    @Test func refusesPastEitherLimit() {
        #expect(RedemptionPolicy.refusal(code: code(limit: 1, used: 1), rule: rule(), customerAlreadyRedeemed: false, at: now) == .usageLimitReached)
        #expect(RedemptionPolicy.refusal(code: code(), rule: rule(limit: 3, used: 3), customerAlreadyRedeemed: false, at: now) == .usageLimitReached)
    }

    @Test func refusesASecondUseByTheSameCustomer() {
        #expect(RedemptionPolicy.refusal(code: code(), rule: rule(once: true), customerAlreadyRedeemed: true, at: now) == .alreadyUsedByCustomer)
        #expect(RedemptionPolicy.refusal(code: code(), rule: rule(once: false), customerAlreadyRedeemed: true, at: now) == nil)
    }

    @Test func instantSplitsIntoSecondsAndNanos() {
        let instant = Instant(seconds: -2, nanos: 500_000_000)
        #expect(instant.seconds == -2)
        #expect(instant.nanos == 500_000_000)
    }
}

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
}
