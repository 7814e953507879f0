import ArgumentParser
import DiscountClient
import Foundation

/// Drives the mixed load and prints a one-line JSON summary when it ends.
///
/// `crash` profile: writes as fast as the workers can until the daemon goes
/// away (the test SIGKILLs it), then exits 0; only answers that contradict
/// the request (not refusals such as USAGE_LIMIT_REACHED) make it exit 1.
/// `soak` profile: hot-set reads at full speed beside writes at a fixed rate,
/// for `--seconds`, on a store that stops growing once the hot set exists
/// (redemptions rolled back, further codes deleted again, agents' codes
/// fetched again; only the redemption ledger and assignments grow); any error exits 1.
struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "load", abstract: "Run the mixed load.")

    enum Profile: String, ExpressibleByArgument { case crash, soak }

    @OptionGroup var common: CommonOptions

    @Option(help: "Append every acknowledged write here (one line each).")
    var ackLog: String

    @Option(help: "Unique per run: part of every name the load creates.")
    var tag: String

    @Option var profile: Profile = .crash

    @Option(help: "Concurrent writers (crash) or readers (soak).")
    var workers: Int = 8

    @Option(help: "Connections the workers share.")
    var connections: Int = 2

    @Option(help: "Stop after this many seconds (soak: required).")
    var seconds: Double?

    @Option(help: "Soak: writes per second.")
    var writeRate: Double = 50

    @Option(help: "Soak: reads pick among the first this many codes and agents.")
    var hotSet: Int = 500

    func validate() throws {
        guard workers >= 1, connections >= 1 else { throw ValidationError("--workers and --connections must be at least 1") }
        if profile == .soak && seconds == nil { throw ValidationError("--profile soak needs --seconds") }
    }

    func run() async throws {
        let fixtures = try Fixtures.load(from: common.state)
        let log = try AckLog(path: ackLog)
        let known = KnownObjects(acks: try AckLog.read(path: ackLog))
        let counters = LoadCounters()
        var clients: [DiscountClient] = []
        for _ in 0..<connections {
            clients.append(try await DiscountClient.connect(socketPath: common.socket, options: .init(timeout: .seconds(30))))
        }
        let started = ContinuousClock.now
        let deadline = seconds.map { started + .milliseconds(Int64($0 * 1000)) }
        let profile = self.profile
        let tag = self.tag
        let (workers, writeRate, hotSet) = (self.workers, self.writeRate, self.hotSet)

        await withTaskGroup(of: Void.self) { group in
            func writes(_ worker: Int) -> WriteOperations {
                WriteOperations(
                    client: clients[worker % clients.count], fixtures: fixtures, log: log, known: known,
                    counters: counters, rollBackRedemptions: profile == .soak,
                    keepAtMost: profile == .soak ? hotSet : .max)
            }
            switch profile {
            case .crash:
                for worker in 0..<workers {
                    let operations = writes(worker)
                    group.addTask {
                        var n = 0
                        while deadline.map({ ContinuousClock.now < $0 }) ?? true {
                            n += 1
                            let name = "\(tag)-\(worker)-\(n)"
                            let goOn = await Self.attempt(counters, profile) { try await operations.any(name: name) }
                            guard goOn else { return }
                        }
                    }
                }
            case .soak:
                let operations = writes(0)
                group.addTask {
                    var n = 0
                    let interval = Duration.milliseconds(Int64(1000 / writeRate))
                    var next = ContinuousClock.now
                    while let deadline, ContinuousClock.now < deadline {
                        n += 1
                        let name = "\(tag)-w-\(n)"
                        let goOn = await Self.attempt(counters, profile) { try await operations.any(name: name) }
                        guard goOn else { return }
                        next += interval
                        // Never past the end of the run, however slow the rate.
                        try? await Task.sleep(until: min(next, deadline))
                    }
                }
                for worker in 0..<workers {
                    let reads = ReadOperations(
                        client: clients[worker % clients.count], fixtures: fixtures, known: known, counters: counters,
                        hotSet: hotSet)
                    group.addTask {
                        while let deadline, ContinuousClock.now < deadline {
                            guard await Self.attempt(counters, profile, reads.any) else { return }
                        }
                    }
                }
            }
        }
        for client in clients { await client.close() }
        let elapsed = ContinuousClock.now - started
        let (wholeSeconds, attoseconds) = elapsed.components
        print(counters.summary(seconds: Double(wholeSeconds) + Double(attoseconds) / 1e18))
        if counters.unexpectedCount > 0 { throw ExitCode(1) }
    }

    /// Runs one operation; false when the worker should stop (the daemon is
    /// gone, or in the soak any error).
    static func attempt(_ counters: LoadCounters, _ profile: Profile, _ body: () async throws -> Void) async -> Bool {
        do {
            try await body()
            return true
        } catch let error as RPCError {
            // Refusals the load provokes on purpose (limits reached) are answers, not faults.
            if profile == .crash, ["USAGE_LIMIT_REACHED", "POOL_EXHAUSTED"].contains(error.detail?.reason ?? "") {
                counters.refused()
                return true
            }
            if profile == .crash, error.code == .unavailable { return false }  // the daemon was killed
            counters.unexpected("\(error.code): \(error.message)")
            return profile == .crash
        } catch {
            if profile == .crash { return false }
            counters.unexpected("\(error)")
            return false
        }
    }
}
