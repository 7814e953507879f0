import ArgumentParser
import DiscountClient

/// Checks a (restarted) daemon against the ack log: every acknowledged write
/// is there, as acknowledged, both through the daemon and in the data file,
/// and the stored state obeys `StoreInvariants`.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Verify the acknowledged writes.")

    @OptionGroup var common: CommonOptions

    @Option var ackLog: String

    @Option(help: "The daemon's SQLite file, opened read-only.")
    var database: String

    func run() async throws {
        let fixtures = try Fixtures.load(from: common.state)
        let acks = try AckLog.read(path: ackLog)
        var problems: [String] = []
        let stored = try StoredState(database: database)
        problems += stored.violations
        problems += stored.missing(acks)
        problems += try await checkThroughDaemon(acks, fixtures: fixtures, stored: stored)

        let kinds = Dictionary(grouping: acks) { "\($0)".prefix { $0 != "(" } }.mapValues(\.count)
        let summary = kinds.keys.sorted().map { "\($0) \(kinds[$0]!)" }.joined(separator: ", ")
        guard problems.isEmpty else {
            print("check FAILED (\(acks.count) acknowledged writes: \(summary)); \(problems.count) problems:")
            for problem in problems.prefix(30) { print("  " + problem) }
            throw ExitCode(1)
        }
        print("check ok: \(acks.count) acknowledged writes present (\(summary)); \(StoreInvariants.rules.count) invariants hold")
    }

    /// The daemon answers what the data file holds: acknowledged codes by
    /// lookup, agents' codes by GetMyDiscountCode, the pool's counts.
    private func checkThroughDaemon(_ acks: [Ack], fixtures: Fixtures, stored: StoredState) async throws -> [String] {
        let client = try await DiscountClient.connect(socketPath: common.socket, options: .init(timeout: .seconds(30)))
        defer { Task { await client.close() } }
        var redemptions: [String: Int64] = [:]
        for case .redeem(let code, _) in acks { redemptions[code, default: 0] += 1 }
        let codes = acks.compactMap { ack -> (String, String)? in
            if case .code(let code, let id) = ack { return (code, id) } else { return nil }
        }
        let agentCodes = acks.compactMap { ack -> (Int64, Int64, String)? in
            if case .agentCode(let agent, let campaign, let code) = ack { return (agent, campaign, code) } else { return nil }
        }
        var problems: [String] = []
        try await withThrowingTaskGroup(of: String?.self) { group in
            var pending = 0
            func collect() async throws {
                if let problem = try await group.next() ?? nil { problems.append(problem) }
                pending -= 1
            }
            for (code, id) in codes {
                if pending >= 64 { try await collect() }
                pending += 1
                let acked = redemptions[code] ?? 0
                group.addTask {
                    let found: DiscountCode?
                    do {
                        found = try await client.lookupDiscountCode(code: code).discountCode
                    } catch let error as RPCError where error.code == .notFound {
                        found = nil
                    }
                    guard let found, found.id == id else {
                        return "lookup \(code): \(found?.id ?? "not found"), acknowledged as \(id)"
                    }
                    guard found.usageCount >= acked else {
                        return "lookup \(code): usage_count \(found.usageCount) < \(acked) acknowledged redemptions"
                    }
                    return nil
                }
            }
            for (agent, campaign, code) in agentCodes {
                if pending >= 64 { try await collect() }
                pending += 1
                group.addTask {
                    let mine = try await client.getMyDiscountCode(agentID: agent, campaignID: campaign)
                    let got = mine.discountCodes.first { $0.campaignId == campaign }?.discountCode
                    return got == code ? nil : "GetMyDiscountCode agent \(agent): \(got ?? "none"), acknowledged \(code)"
                }
            }
            while pending > 0 { try await collect() }
        }
        let pool = try await client.getVoucherPool(poolID: fixtures.poolID)
        if let counts = stored.poolCounts[fixtures.poolID], pool.total != counts.total || pool.available != counts.available {
            problems.append("pool via daemon \(pool.total)/\(pool.available) vs stored codes \(counts.total)/\(counts.available)")
        }
        return problems
    }
}
