import ArgumentParser
import DiscountBench
import Foundation

extension BenchScenario: ExpressibleByArgument {}

/// `discountctl bench [run]`: one scenario, one shape, one server.
struct BenchRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one scenario and report calls/s, p50/p90/p99/p99.9 latency and errors by status.",
        discussion: "Scenarios: " + BenchScenario.allCases.map { "\($0.rawValue) (\($0.summary))" }.joined(separator: "; "))

    @OptionGroup var target: BenchTarget

    @Option(help: "What to call.")
    var scenario: BenchScenario = .health

    @Option(help: "Connections to open.")
    var connections: Int = 1

    @Option(help: "Calls kept in flight on each connection.")
    var inFlight: Int = 1

    @Option(help: "Seconds to measure (after the warm-up). Default 5 unless --calls is given.")
    var duration: Double?

    @Option(help: "Calls to measure (after the warm-up), instead of --duration.")
    var calls: UInt64?

    @Option(help: "Seconds of calls before measuring (not counted). Default 0.5 with --duration, 0 with --calls.")
    var warmup: Double?

    @Option(
        help:
            "Send the same payloads to this socket's bench.Echo/Echo (the Go ttrpc echo peer) instead; the fixtures still come from --socket."
    )
    var echoSocket: String?

    @Option(help: "Mixed into every per-call unique value (0…4194303); random by default.")
    var runID: UInt64?

    @Flag(help: "Print the result as JSON.")
    var json = false

    mutating func validate() throws {
        guard connections >= 1, connections <= 256 else { throw ValidationError("--connections: 1…256") }
        guard inFlight >= 1, inFlight <= 4096 else { throw ValidationError("--in-flight: 1…4096") }
        guard !(duration != nil && calls != nil) else { throw ValidationError("give --duration or --calls, not both") }
        if let duration, !(duration > 0) { throw ValidationError("--duration must be positive") }
        if let calls, calls == 0 { throw ValidationError("--calls must be positive") }
        if let warmup, !(warmup >= 0) { throw ValidationError("--warmup must be 0 or more") }
        if let runID, runID >= 1 << 22 { throw ValidationError("--run-id: 0…4194303") }
    }

    func run() async throws {
        try await runReporting {
            let fixtures = try await target.fixtures(for: [scenario])
            let requests = BenchRequests(fixtures: fixtures)
            let echo = echoSocket != nil
            let scenario = self.scenario
            let usesAgents = scenario == .getMyDiscountCodeFirst && !echo
            let plan = LoadPlan(
                connections: connections, inFlight: inFlight,
                stop: calls.map { .calls($0) } ?? .duration(duration ?? 5),
                warmup: warmup ?? (calls == nil ? 0.5 : 0),
                runID: runID ?? UInt64.random(in: 1..<(1 << 22)),
                varintBase: fixtures.firstTimeAgentBase,
                sequenceLimit: usesAgents ? UInt64(fixtures.firstTimeAgents) : nil,
                metadata: target.metadata
            ) { requests.call(scenario, sequence: $0, echo: echo) }
            let socket = echoSocket ?? target.socket
            let measured: LoadRunner.Measurement
            do {
                measured = try await LoadRunner.run(socketPath: socket, plan: plan)
            } catch {
                throw CLIFailure.unreachable(socket: socket, cause: "\(error)")
            }
            let result = BenchResult(
                scenario: scenario, target: echo ? "go-echo" : "discountd", connections: connections,
                inFlight: inFlight, calls: measured.calls, seconds: measured.seconds,
                latency: LatencySummary(nanoseconds: measured.histogram), errors: measured.errors,
                totalCalls: measured.totalCalls, stoppedEarly: measured.stoppedEarly)
            if json {
                try printJSON(result)
            } else {
                print(result.formatted)
            }
        }
    }
}
