import DiscountCore
import DiscountStore
import Testing

/// A write's idempotency record commits in the write's own transaction.
extension StoreContract {
    static func claim<R: Sendable>(_ key: String, answer: @escaping @Sendable (R) -> [UInt8]?) -> WriteOptions<R> {
        WriteOptions(
            idempotency: IdempotencyClaim(
                projectID: Project.defaultID, key: key, method: "test/Write", requestHash: "h", createdAt: Fixtures.t0,
                answer: answer))
    }

    @Test(arguments: StoreFactory.all)
    func aWriteKeepsItsAnswerAndALaterOneWithTheKeyWritesNothing(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let first = Fixtures.rule(title: "first")
            try await store.insertPriceRule(first, options: Self.claim("k1") { _ in [1, 2, 3] })
            let record = try #require(try await store.idempotencyRecord(projectID: Project.defaultID, key: "k1"))
            #expect(record.response == [1, 2, 3])
            #expect(record.method == "test/Write")

            // The same key again: nothing written, the first answer back.
            let second = Fixtures.rule(title: "second")
            do {
                try await store.insertPriceRule(second, options: Self.claim("k1") { _ in [9] })
                Issue.record("a write under a used key went through")
            } catch StoreError.replay(let kept) {
                #expect(kept.response == [1, 2, 3])
            }
            #expect(try await store.priceRule(projectID: second.projectID, id: second.id) == nil)
        }
    }

    @Test(arguments: StoreFactory.all)
    func aWriteThatFailsOrKeepsNoAnswerLeavesTheKeyFree(_ factory: StoreFactory) async throws {
        try await withStore(factory) { store async throws in
            let rule = try await store.insertedRule()
            // Refused: neither the write nor its record.
            await #expect(throws: StoreError.self) {
                try await store.insertPriceRule(rule, options: Self.claim("k2") { _ in [1] })
            }
            #expect(try await store.idempotencyRecord(projectID: Project.defaultID, key: "k2") == nil)
            // An answer of nil (a refusal the service maps to an error) keeps nothing.
            let code = Fixtures.code("NO-ANSWER", rule: rule)
            try await store.insertDiscountCode(code, options: Self.claim("k3") { _ in nil })
            #expect(try await store.idempotencyRecord(projectID: Project.defaultID, key: "k3") == nil)
            #expect(try await store.discountCode(projectID: rule.projectID, id: code.id) != nil)
        }
    }
}
