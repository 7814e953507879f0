import DiscountCore
import DiscountStore
import PostgresNIO
import Testing

@testable import DiscountStorePostgres

/// How PostgreSQL finds the codes an assignment claims, once statistics say
/// most of a large pool is free (an ANALYZE after an import): through the
/// index of free codes, not by walking the codes already handed out.
@Suite(.enabled(if: PostgresFixture.serverURL != nil, "needs DISCOUNTD_TEST_POSTGRES_URL"))
struct PostgresVoucherClaimTests {
    @Test func theClaimReadsOnlyFreeCodesAfterAnImportIsAnalyzed() async throws {
        try await withPostgres { fixture, store in
            let pool = try await store.makePool("FREE", 20_000)
            // The first 1% handed out, then the statistics of a mostly free pool.
            try await PostgresFixture.admin(
                "UPDATE voucher_codes SET status = 2, customer_id = 'c' || seq, used_by = '' WHERE seq <= 200",
                schema: fixture.schema)
            try await PostgresFixture.admin("ANALYZE voucher_codes", schema: fixture.schema)

            // The claim's shape in `assignStatement`.
            let plan = try await PostgresFixture.admin(
                """
                EXPLAIN SELECT v.pool_key, v.seq FROM voucher_codes v
                WHERE v.pool_key = (SELECT pool_key FROM voucher_pools WHERE id = '\(pool.id)') AND v.status = 1
                ORDER BY v.seq LIMIT 256 FOR UPDATE SKIP LOCKED
                """, schema: fixture.schema
            ).map { try $0.decode(String.self) }.joined(separator: "\n")
            #expect(plan.contains("voucher_codes_available"), "\(plan)")

            let outcome = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "next"))
            guard case .assigned(let code) = outcome else {
                Issue.record("not assigned: \(outcome)")
                return
            }
            #expect(code.sequence == 201)
        }
    }

    /// The batch statements' estimates grow with the tables; compiled by JIT
    /// they cost 100 ms to over a second each (assignments stalled at a few
    /// hundred a second in scripts/load-test --postgres). The store's own
    /// sessions run without it.
    @Test func theStoresSessionsRunWithoutJIT() async throws {
        try await withPostgres { _, store in
            let setting = try await store.rows("SHOW jit").first?.decode(String.self)
            #expect(setting == "off")
        }
    }
}
