import DiscountCore
import DiscountStore
import Foundation
import SystemRandom
import Testing

@testable import DiscountStoreSQLite

/// Timings, not assertions on speed: run with DISCOUNTD_STORE_BENCH=1.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["DISCOUNTD_STORE_BENCH"] == "1"))
struct SQLiteBenchmarks {
    /// "v7": time-ordered ids as the services make them (TimeOrderedID);
    /// "v4": random UUIDs, the worst case for the id indexes.
    @Test(arguments: ["v7", "v4"])
    func millionCodeBatchInsert(_ ids: String) async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite()
        let rule = try await store.insertedRule()
        let generated = try CodeGenerator(prefix: "M-", length: 10).generate(1_000_000)
        let codes = generated.map {
            Fixtures.code($0, rule: rule, id: ids == "v7" ? TimeOrderedID.make() : Fixtures.newID())
        }
        let clock = ContinuousClock()
        var rejected: [String] = []
        let cpuBefore = processCPUSeconds()
        let elapsed = try await clock.measure { rejected = try await store.insertDiscountCodes(codes) }
        let cpu = processCPUSeconds() - cpuBefore
        print(
            "bench: 1,000,000 codes (\(ids) ids) stored in \(elapsed) (process CPU \(cpu) s), \(store.commitCount) commits so far"
        )
        #expect(rejected.isEmpty)
        #expect(try await store.countDiscountCodes(projectID: Project.defaultID) == 1_000_000)
        let plan = try store.read { db in
            try db.withStatement(
                "EXPLAIN QUERY PLAN SELECT id FROM discount_codes WHERE project_id = ?1 AND price_rule_id = ?2 AND id > ?4 ORDER BY id LIMIT ?3"
            ) { s in
                var lines: [String] = []
                while try s.step() { lines.append(s.string(3)) }
                return lines
            }
        }
        print("bench: page plan \(plan)")
        for depth in [500_000, 10, 999_000, 250_000, 750_000] {
            let pageStart = clock.now
            let page = try await store.discountCodes(
                projectID: Project.defaultID, priceRuleID: rule.id, after: codes[depth].id, limit: 1000)
            print("bench: a page of \(page.count) codes after code #\(depth) took \(clock.now - pageStart)")
        }
        await store.close()
    }

    @Test(arguments: [1, 16, 64, 256])
    func concurrentSingleInserts(_ concurrency: Int) async throws {
        let fixture = try SQLiteFixture()
        defer { fixture.remove() }
        let store = try fixture.openSQLite(synchronous: .full)
        let rule = try await store.insertedRule()
        let total = max(2_000, concurrency * 40)
        let codes = (0..<total).map { Fixtures.code("C-\($0)", rule: rule) }
        let commitsBefore = store.commitCount
        let cpuBefore = processCPUSeconds()
        let clock = ContinuousClock()
        let elapsed = try await clock.measure {
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                for _ in 0..<concurrency {
                    let code = codes[next]
                    next += 1
                    group.addTask { try await store.insertDiscountCode(code) }
                }
                while try await group.next() != nil {
                    if next < codes.count {
                        let code = codes[next]
                        next += 1
                        group.addTask { try await store.insertDiscountCode(code) }
                    }
                }
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let commits = store.commitCount - commitsBefore
        let cpuPerInsert = (processCPUSeconds() - cpuBefore) / Double(total) * 1e6
        print(
            "bench: \(total) single inserts, \(concurrency) in flight, synchronous=FULL: \(Int(Double(total) / seconds))/s, \(commits) commits, \(Int(cpuPerInsert)) µs CPU each"
        )
        await store.close()
    }
}

/// User + system CPU time of this process so far: unlike wall time, barely
/// moved by whatever else the machine is running.
private func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}
