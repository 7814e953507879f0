import ArgumentParser
import DiscountBench

/// `discountctl bench fixtures`: set up the data once, for many runs.
struct BenchFixturesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fixtures",
        abstract: "Set up the benchmark data and print its ids and every scenario's request (payload hex) as JSON.",
        discussion: """
            Pass the file to `discountctl bench --fixtures FILE` to reuse the data; scripts/load-test also feeds \
            the payloads to scripts/bench/ttrpc_bench (every run of twelve @ is a per-call unique value; ten # are \
            the per-call agent id, from varint_base).
            """)

    @OptionGroup var target: BenchTarget

    @Option(parsing: .upToNextOption, help: "Scenarios to set up for (default: all).")
    var scenarios: [BenchScenario] = BenchScenario.allCases

    func run() async throws {
        try await runReporting {
            let fixtures = try await target.fixtures(for: Set(scenarios))
            try printJSON(FixturesFile(fixtures: fixtures))
        }
    }
}
