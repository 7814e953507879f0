import DiscountCore
import DiscountStore
import Foundation
import PostgresNIO
import Testing

@testable import DiscountStorePostgres

/// Two stores on one schema, as two daemons on two hosts: the exact
/// decisions are the database's, so they hold across both; concurrent calls
/// on one store share commits.
@Suite(.enabled(if: PostgresFixture.serverURL != nil, "needs DISCOUNTD_TEST_POSTGRES_URL"))
struct PostgresSharedStoreTests {
    @Test func aUsageLimitHoldsAcrossDaemons() async throws {
        try await withTwoDaemons { fixture, a, b in
            let rule = try await a.insertedRule()
            try await a.insertDiscountCode(Fixtures.code("SHARED50", rule: rule, usageLimit: 50))
            let outcomes = try await atOnce(200, across: [a, b]) { store, index in
                try await store.redeem(Fixtures.redemption("shared50", order: "order-\(index)"))
            }
            #expect(outcomes.filter(\.isRedeemed).count == 50)
            #expect(outcomes.filter { $0.refusal == .usageLimitReached }.count == 150)
            #expect(Set(outcomes.filter(\.isRedeemed).compactMap { $0.code?.usageCount }) == Set(1...50))
            #expect(try await b.discountCode(projectID: rule.projectID, canonicalCode: "SHARED50")?.usageCount == 50)
            #expect(try await a.priceRule(projectID: rule.projectID, id: rule.id)?.usageCount == 50)
        }
    }

    @Test func racingAgentsGetOneCodeAcrossDaemons() async throws {
        try await withTwoDaemons { fixture, a, b in
            let agent = try await Fixtures.agent(a)
            let spring = try await Fixtures.campaign(b)
            let results = try await atOnce(64, across: [a, b]) { store, index in
                try await store.getOrCreateAgentCode(
                    projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: spring.id,
                    initial: .pending, at: Fixtures.t0)
            }
            #expect(Set(results.map(\.0)).count == 1)
            #expect(results.filter(\.1).count == 1)
            #expect(try await a.outboxDepth() == 1)
        }
    }

    @Test func aPoolHandsEachCodeOutOnceAcrossDaemons() async throws {
        try await withTwoDaemons { fixture, a, b in
            let pool = try await a.makePool("X", 200)
            let outcomes = try await atOnce(300, across: [a, b]) { store, index in
                try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "c\(index)"))
            }
            let (codes, exhausted) = Fixtures.handedOut(outcomes)
            #expect(codes.count == 200 && Set(codes).count == 200 && exhausted == 100)
            let counted = try #require(try await b.voucherPool(projectID: pool.projectID, id: pool.id))
            #expect(counted.available == 0 && counted.assigned == 200 && counted.total == 200)
        }
    }

    @Test func oneCustomerGetsOneCodeWhicheverDaemonAsks() async throws {
        try await withTwoDaemons { fixture, a, b in
            let pool = try await a.makePool("Y", 50)
            let outcomes = try await atOnce(40, across: [a, b]) { store, index in
                try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "ann", usedBy: "spring"))
            }
            var handed: Set<String> = []
            var assigned = 0
            for outcome in outcomes {
                switch outcome {
                case .assigned(let code):
                    handed.insert(code.code)
                    assigned += 1
                case .alreadyAssigned(let code): handed.insert(code.code)
                default: Issue.record("unexpected \(outcome)")
                }
            }
            #expect(assigned == 1 && handed.count == 1)
            #expect(try await a.voucherPool(projectID: pool.projectID, id: pool.id)?.assigned == 1)
        }
    }

    @Test func anIdempotencyKeyKeepsOneAnswerAcrossDaemons() async throws {
        try await withTwoDaemons { fixture, a, b in
            let kept = try await atOnce(20, across: [a, b]) { store, index in
                try await store.saveIdempotencyRecord(
                    IdempotencyRecord(
                        projectID: Project.defaultID, key: "shared", method: "m", requestHash: "h\(index)",
                        response: [UInt8(index)], createdAt: Fixtures.t0))
            }
            #expect(Set(kept).count == 1)
        }
    }

    /// One idempotency key, sent to both daemons at once: one write, and
    /// every other call hears the first one's answer.
    @Test func aKeyedWriteHappensOnceAcrossDaemons() async throws {
        try await withTwoDaemons { fixture, a, b in
            let rule = try await a.insertedRule()
            try await a.insertDiscountCode(Fixtures.code("ONCE", rule: rule))
            let options = StoreContract.claim("retry-1") { (outcome: RedemptionOutcome) in outcome.isRedeemed ? [7] : nil }
            let outcomes = await withTaskGroup(of: String.self) { group in
                for index in 0..<20 {
                    let store = index.isMultiple(of: 2) ? a : b
                    group.addTask {
                        do {
                            let outcome = try await store.redeem(
                                Fixtures.redemption("ONCE", order: "order-\(index)"), options: options)
                            return outcome.isRedeemed ? "redeemed" : "\(outcome)"
                        } catch StoreError.replay(let first) {
                            return first.response == [7] ? "replay" : "replay of \(first.response)"
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
            }
            #expect(outcomes == ["redeemed": 1, "replay": 19])
            #expect(try await b.discountCode(projectID: rule.projectID, canonicalCode: "ONCE")?.usageCount == 1)

            let rules = (0..<10).map { _ in Fixtures.rule() }
            let written = await withTaskGroup(of: Bool.self) { group in
                for (index, rule) in rules.enumerated() {
                    let store = index.isMultiple(of: 2) ? a : b
                    group.addTask {
                        (try? await store.insertPriceRule(rule, options: StoreContract.claim("create-1") { _ in [1] })) != nil
                    }
                }
                return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
            }
            #expect(written == 1)
            var stored = 0
            for rule in rules where try await a.priceRule(projectID: rule.projectID, id: rule.id) != nil { stored += 1 }
            #expect(stored == 1)
        }
    }

    @Test func oneDaemonCatchesUpOnTheOthersWrites() async throws {
        try await withTwoDaemons { fixture, a, b in
            let cursor = try await b.currentChangeCursor()
            let rule = try await a.insertedRule()
            var code = Fixtures.code("SEEN", rule: rule)
            try await a.insertDiscountCode(code)
            code.code = "SEEN2"
            code.canonicalCode = "SEEN2"
            #expect(try await a.updateDiscountCode(code) != nil)
            #expect(try await a.deleteDiscountCode(projectID: rule.projectID, id: code.id))
            let batch = try await b.changes(after: cursor, limit: 100)
            #expect(
                batch.changes.filter { $0.kind == .discountCode }.map { "\($0.key ?? "") \($0.version)" }
                    == ["SEEN 1", "SEEN2 2", "SEEN 2", "SEEN2 0"])
        }
    }

    /// N concurrent calls of a hot write share commits: the change log tells
    /// how many transactions wrote them (one xid per transaction).
    @Test func concurrentHotWritesShareCommits() async throws {
        try await withPostgres { fixture, store in
            let rule = try await store.insertedRule()
            try await atOnce(200, across: [store]) { store, index in
                try await store.insertDiscountCode(Fixtures.code("HOT\(index)", rule: rule))
            }
            try await atOnce(200, across: [store]) { store, index in
                _ = try await store.redeem(Fixtures.redemption("HOT\(index)", order: "o\(index)"))
            }
            let pool = try await store.makePool("H", 200)
            try await atOnce(200, across: [store]) { store, index in
                _ = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "c\(index)"))
            }
            let spring = try await Fixtures.campaign(store)
            var agents: [Agent] = []
            for index in 0..<64 { agents.append(try await Fixtures.agent(store, "Agent\(index)")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for agent in agents {
                    group.addTask {
                        _ = try await store.getOrCreateAgentCode(
                            projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: spring.id,
                            initial: .pending, at: Fixtures.t0)
                    }
                }
                try await group.waitForAll()
            }
            func commits(_ condition: String) async throws -> Int64 {
                try await PostgresFixture.admin(
                    "SELECT count(DISTINCT xid) FROM change_log WHERE \(condition)", schema: fixture.schema
                ).first?.decode(Int64.self) ?? 0
            }
            let inserts = try await commits("kind = 'discount_code' AND version = 1")
            let redemptions = try await commits("kind = 'discount_code' AND version = 2")
            let assignments = try await commits("kind = 'voucher_pool' AND version > 2")
            let agentCodes = try await commits("kind = 'agent_code'")
            print(
                "commits for 200 inserts: \(inserts), 200 redemptions: \(redemptions), 200 assignments: \(assignments), 64 agent codes: \(agentCodes)"
            )
            #expect(inserts < 100 && redemptions < 100 && assignments < 100 && agentCodes < 32)
            #expect(try await store.voucherPool(projectID: pool.projectID, id: pool.id)?.assigned == 200)
        }
    }

    /// Each call of a batch gets its own answer: inserted, key taken (before,
    /// or by an earlier call of the batch), id taken, rule missing.
    @Test func aBatchAnswersEachCallOnItsOwn() async throws {
        try await withPostgres { fixture, store in
            let rule = try await store.insertedRule()
            let existing = Fixtures.code("OLD", rule: rule)
            try await store.insertDiscountCode(existing)
            let calls: [(label: String, code: DiscountCode)] = [
                ("NEW", Fixtures.code("NEW", rule: rule)),
                ("old", Fixtures.code("old", rule: rule)),
                ("id", Fixtures.code("Fresh", rule: rule, id: existing.id)),
                ("orphan", Fixtures.code("Orphan", rule: Fixtures.rule())),
                ("new", Fixtures.code("new", rule: rule)),
            ]
            let answers = await withTaskGroup(of: (String, String).self) { group in
                for (label, code) in calls {
                    group.addTask {
                        do {
                            try await store.insertDiscountCode(code)
                            return (label, "ok")
                        } catch StoreError.codeTaken(let text) {
                            return (label, text == code.code ? "taken" : "taken as \(text)")
                        } catch StoreError.conflict {
                            return (label, "conflict")
                        } catch StoreError.failure {
                            return (label, "failure")
                        } catch {
                            return (label, "\(error)")
                        }
                    }
                }
                return await group.reduce(into: [String: String]()) { $0[$1.0] = $1.1 }
            }
            #expect(answers["old"] == "taken" && answers["id"] == "conflict" && answers["orphan"] == "failure")
            // NEW and new race for one key: one of them wins.
            #expect([answers["NEW"], answers["new"]].compactMap { $0 }.sorted() == ["ok", "taken"])
            #expect(try await store.countDiscountCodes(projectID: rule.projectID) == 2)
        }
    }

    @Test func daemonsStartingTogetherMigrateOnceAndANewerSchemaIsRefused() async throws {
        let fixture = try await PostgresFixture()
        let stores = try await withThrowingTaskGroup(of: PostgresStore.self) { group in
            for _ in 0..<3 { group.addTask { try await fixture.openPostgres() } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let versions = try await PostgresFixture.admin(
            "SELECT version FROM schema_migrations ORDER BY version", schema: fixture.schema
        ).map { try $0.decode(Int32.self) }
        #expect(versions == Array(1...Int32(PostgresSchema.currentVersion)))
        #expect(try await stores[0].projects().map(\.id) == [Project.defaultID], "one default project")
        for store in stores { await store.close() }

        try await PostgresFixture.admin(
            "INSERT INTO schema_migrations (version, name) VALUES (99, 'future')", schema: fixture.schema)
        await #expect(throws: StoreError.self) { try await fixture.openPostgres() }
        await fixture.remove()
    }
}

/// Two stores on one fresh schema.
func withTwoDaemons(_ body: (PostgresFixture, PostgresStore, PostgresStore) async throws -> Void) async throws {
    try await withPostgres { fixture, first in
        let second = try await fixture.openPostgres()
        do {
            try await body(fixture, first, second)
        } catch {
            await second.close()
            throw error
        }
        await second.close()
    }
}
