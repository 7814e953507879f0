import DiscountClient
import Foundation
import Synchronization
import Testing

/// discountd on PostgreSQL, as processes: several daemons on one database,
/// create-token and copy-store. Runs when the tests were given a server
/// (DISCOUNTD_TEST_POSTGRES_URL; scripts/test always starts one).
@Suite(.enabled(if: PostgresServer.url != nil, "needs DISCOUNTD_TEST_POSTGRES_URL"))
struct PostgresDaemonTests {
    @Test func daemonsOnOneDatabaseShareItsExactDecisions() async throws {
        try await withTwoDaemons { database, _, _, onA, onB in
            #expect(try await onA.serverInfo().backend == "postgresql")
            #expect(try await onB.serverInfo().backend == "postgresql")

            // A usage limit of 5, redeemed 20 times through both daemons.
            let rule = try await onA.makeRule(title: "Shared")
            _ = try await onA.makeCode(rule, "SHARED-5", usageLimit: 5)
            let redemptions = await concurrently(20) { index in
                try await (index.isMultiple(of: 2) ? onA : onB).redeemDiscountCode(code: "shared-5", orderID: "order-\(index)")
            }
            #expect(redemptions.compactMap(\.value).filter(\.redeemed).count == 5)
            #expect(redemptions.compactMap(\.rpcError).count == 15)

            // Ten vouchers, fifteen customers.
            let pool = try #require(try await onB.createVoucherPool(name: "Shared").pool)
            _ = try await onB.addVoucherCodes(AddVoucherCodesRequest(poolId: pool.id, codes: (1...10).map { "V-\($0)" }))
            let assignments = await concurrently(15) { index in
                try await (index.isMultiple(of: 2) ? onA : onB).assignVoucherCode(poolID: pool.id, customerID: "c\(index)")
            }
            let handed = assignments.compactMap(\.value).map(\.code)
            #expect(handed.count == 10 && Set(handed).count == 10)
            #expect(assignments.compactMap(\.rpcError).count == 5)

            // One agent, one campaign, one code, whichever daemon is asked.
            let agent = try await onA.registerAgent(name: "Both").agentId
            let campaign = try await onB.makeCampaign()
            let codes = await concurrently(10) { index in
                try await (index.isMultiple(of: 2) ? onA : onB).myCode(agent, campaign).discountCode
            }
            #expect(Set(codes.compactMap(\.value)).count == 1 && codes.allSatisfy { $0.value != nil })

            // A token made by the command line works on a daemon that requires one.
            let created = try await runDiscountd([
                "create-token", "--postgres", database, "--scopes", "admin,read_price_rules", "--name", "ops",
            ])
            #expect(created.status == 0, "\(created.stderr)")
            let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            let guarded = try await DaemonProcess.start(arguments: ["--postgres", database, "--require-auth"])
            defer { guarded.remove() }
            let withToken = try await guarded.client(.init(token: secret))
            #expect(try await withToken.getPriceRule(id: rule.id).priceRule?.title == "Shared")
            await withToken.close()
            await guarded.stop()

        }
    }

    /// What one daemon writes, the other's cache reflects within the bound:
    /// a code changed and deleted, a token revoked. Prints the lag seen.
    @Test func anotherDaemonsWritesReachThisDaemonsCache() async throws {
        try await withTwoDaemons { _, _, b, onA, onB in
            let rule = try await onA.makeRule(title: "Coherent")
            let code = try await onA.makeCode(rule, "ACROSS-1", usageLimit: 1)

            // Changed on A, twenty times: B's cached lookup follows each.
            let lags = try await lagsUntilSeen(code, "across-1", of: rule, changedOn: onA, readOn: onB, limits: 2...21)

            // Deleted on A: gone on B.
            _ = try await onA.deleteDiscountCode(DeleteDiscountCodeRequest(priceRuleId: rule.id, discountCodeId: code.id))
            let deleted = try await timeUntil(within: .seconds(1), every: .milliseconds(1)) {
                await rpcCode { _ = try await onB.lookupDiscountCode(code: "across-1") } == .notFound
            }
            #expect(deleted != nil, "B still finds a code A deleted a second ago")

            // A token B has verified, revoked on A: refused on B.
            let created = try await onA.createToken(projectID: "default", scopes: ["read_price_rules"])
            let holder = try await b.client(.init(token: created.token))
            #expect(try await holder.getPriceRule(id: rule.id).priceRule?.title == "Coherent")
            _ = try await onA.revokeToken(id: created.tokenId)
            let refused = try await timeUntil(within: .seconds(1), every: .milliseconds(1)) {
                await rpcCode { _ = try await holder.getPriceRule(id: rule.id) } == .unauthenticated
            }
            #expect(refused != nil, "B still accepts a token A revoked a second ago")

            let feed = try #require(try await onB.serverInfo().changeFeed)
            #expect(feed.listening && feed.cacheServing && feed.outage.isEmpty && feed.changesApplied > 0)
            #expect(feed.stalenessBoundSeconds == 1)
            let sorted = lags.sorted()
            print(
                """
                cache coherence across daemons: update seen after p50 \(ms(sorted[sorted.count / 2])), \
                max \(ms(sorted.last)) (\(sorted.count) updates); delete \(ms(deleted)); revoke \(ms(refused)); \
                B's feed: last change lag \(String(format: "%.1f", feed.lastChangeLagSeconds * 1e3)) ms, \
                caught up \(String(format: "%.1f", feed.caughtUpSecondsAgo * 1e3)) ms ago
                """)
            await holder.close()
        }
    }

    /// The same under a write load through both daemons: how long B's cache
    /// takes to show A's change while codes are being created on both.
    @Test func cacheLagUnderWriteLoad() async throws {
        try await withTwoDaemons { _, _, _, onA, onB in
            let rule = try await onA.makeRule(title: "Loaded")
            let code = try await onA.makeCode(rule, "LOADED-1", usageLimit: 1)

            let writes = WriteCount()
            let load = Task {
                await withTaskGroup(of: Void.self) { group in
                    for writer in 0..<8 {
                        group.addTask {
                            var index = 0
                            while !Task.isCancelled {
                                index += 1
                                _ = try? await (writer.isMultiple(of: 2) ? onA : onB).createDiscountCode(
                                    priceRuleID: rule.id, code: "LOAD-\(writer)-\(index)", useWithOther: false, usageLimit: nil)
                                writes.add()
                            }
                        }
                    }
                }
            }
            let clock = ContinuousClock()
            let started = clock.now
            let lags = try await lagsUntilSeen(code, "loaded-1", of: rule, changedOn: onA, readOn: onB, limits: 2...51)
            let elapsed = clock.now - started
            load.cancel()
            await load.value
            let sorted = lags.sorted()
            let rate = Double(writes.value) / (elapsed / .seconds(1))
            print(
                """
                cache lag under load (\(String(format: "%.0f", rate)) code creations/s through both daemons): \
                p50 \(ms(sorted[sorted.count / 2])), p99 \(ms(sorted[(sorted.count * 99) / 100])), max \(ms(sorted.last!)) \
                (\(sorted.count) updates)
                """)
        }
    }

    @Test func copyStoreMovesAStoreAndResumes() async throws {
        // A one-host daemon's store, with a bit of everything.
        let sqlite = try await DaemonProcess.start()
        defer { sqlite.remove() }
        let owner = try await sqlite.client()
        let rule = try await owner.makeRule(title: "Moving", usageLimit: 100)
        for index in 0..<3 { _ = try await owner.makeCode(rule, "MOVE-\(index)") }
        #expect(try await owner.redeemDiscountCode(code: "MOVE-0", orderID: "order-1").redeemed)
        let pool = try #require(try await owner.createVoucherPool(name: "Moving").pool)
        _ = try await owner.addVoucherCodes(AddVoucherCodesRequest(poolId: pool.id, codes: (1...5).map { "MV-\($0)" }))
        for customer in ["ann", "bob"] { _ = try await owner.assignVoucherCode(poolID: pool.id, customerID: customer) }
        let agent = try await owner.registerAgent(name: "Mover").agentId
        let campaign = try await owner.makeCampaign()
        let agentCode = try await owner.myCode(agent, campaign).discountCode
        let keyed = try await owner.createPriceRule(
            .init(title: "Keyed", valueType: .percentage, value: 5), idempotencyKey: "moving-key")
        let token = try await owner.createToken(projectID: "default", scopes: ["read_price_rules"], name: "reader")
        await owner.close()
        await sqlite.stop()

        let database = try await PostgresServer.freshSchema()
        let dataDir = sqlite.directory.appendingPathComponent("data").path
        let copy = ["copy-store", "--from-data-dir", dataDir, "--to-postgres", database, "--chunk", "2"]
        // Stopped part way, then run again: it picks up where it was.
        let stopped = try await runTool(
            DaemonProcess.tool("discountd"), copy, environment: ["DISCOUNTD_COPY_STORE_STOP_AFTER": "discount_codes"])
        #expect(stopped.status == 3, "\(stopped.stderr)")
        let resumed = try await runDiscountd(copy)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming") && resumed.stderr.contains("the row counts match"))

        let shared = try await DaemonProcess.start(arguments: ["--postgres", database])
        defer { shared.remove() }
        let client = try await shared.client()
        #expect(try await client.allCodes(of: rule.id).count == 3)
        let replay = try await client.redeemDiscountCode(code: "MOVE-0", orderID: "order-1")
        #expect(!replay.redeemed && replay.usageCount == 1, "the redemption came along")
        let moved = try await client.getVoucherPool(poolID: pool.id)
        #expect(moved.total == 5 && moved.available == 3)
        #expect(try await client.myCode(agent, campaign).discountCode == agentCode)
        #expect(
            try await client.createPriceRule(
                .init(title: "Keyed", valueType: .percentage, value: 5), idempotencyKey: "moving-key") == keyed)
        let reader = try await shared.client(.init(token: token.token))
        #expect(try await reader.getPriceRule(id: rule.id).priceRule?.title == "Moving")
        await reader.close()
        // Ids go on past the copied ones.
        #expect(try await client.registerAgent(name: "Newcomer").agentId > agent)
        await client.close()
        await shared.stop()

        // The target has data now: refused, unless asked.
        let again = try await runDiscountd(copy)
        #expect(again.status != 0 && again.stderr.contains("not empty"))
        let forced = try await runDiscountd(copy + ["--force"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }

    /// Two daemons on one fresh schema, a client on each; both stop after `body`.
    private func withTwoDaemons(
        _ body: (_ database: String, _ a: DaemonProcess, _ b: DaemonProcess, _ onA: DiscountClient, _ onB: DiscountClient)
            async throws -> Void
    ) async throws {
        let database = try await PostgresServer.freshSchema()
        let a = try await DaemonProcess.start(arguments: ["--postgres", database])
        defer { a.remove() }
        let b = try await DaemonProcess.start(arguments: ["--postgres", database])
        defer { b.remove() }
        let onA = try await a.client()
        let onB = try await b.client()
        try await withCleanup {
            try await body(database, a, b, onA, onB)
        } then: {
            await onA.close()
            await onB.close()
        }
        await a.stop()
        await b.stop()
    }

    /// Sets the code's usage limit on A to each of `limits` in turn and times how long B's cached lookup takes to
    /// show it.
    private func lagsUntilSeen(
        _ code: DiscountCode, _ lookup: String, of rule: PriceRule, changedOn onA: DiscountClient,
        readOn onB: DiscountClient, limits: ClosedRange<Int64>
    ) async throws -> [Duration] {
        var lags: [Duration] = []
        for limit in limits {
            #expect(try await onB.lookupDiscountCode(code: lookup).discountCode?.usageLimit == limit - 1)
            _ = try await onA.updateDiscountCode(
                UpdateDiscountCodeRequest(priceRuleId: rule.id, discountCodeId: code.id, usageLimit: limit))
            let lag = try await timeUntil(within: .seconds(1), every: .milliseconds(1)) {
                try await onB.lookupDiscountCode(code: lookup).discountCode?.usageLimit == limit
            }
            lags.append(try #require(lag, "B still answers usage limit \(limit - 1) a second after A changed it"))
        }
        return lags
    }
}

/// The tests' PostgreSQL server, and a schema of its own per test.
enum PostgresServer {
    static let url: String? = ProcessInfo.processInfo.environment["DISCOUNTD_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// A new schema; the URL that puts a store in it.
    static func freshSchema() async throws -> String {
        let server = try #require(url)
        let schema = "it_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(20)
        let made = try await runTool(
            URL(fileURLWithPath: "/usr/bin/env"),
            ["psql", server, "-v", "ON_ERROR_STOP=1", "-q", "-c", "CREATE SCHEMA \(schema)"])
        guard made.status == 0 else { throw TestFailure("psql: \(made.stderr)") }
        return server + (server.contains("?") ? "&" : "?") + "options=-c%20search_path%3D\(schema)"
    }
}

/// A count several tasks add to.
final class WriteCount: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }

}

/// A duration in milliseconds for the figures the tests print; "-" when there is none.
private func ms(_ duration: Duration?) -> String {
    guard let duration else { return "-" }
    return String(format: "%.1f ms", duration / .milliseconds(1))
}
