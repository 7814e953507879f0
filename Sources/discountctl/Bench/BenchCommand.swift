import ArgumentParser

/// `discountctl bench`: load a live daemon and measure it (see BENCHMARKS.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Load the daemon with one scenario and report calls/s, latency percentiles and errors.",
        discussion: """
            Example: discountctl bench --scenario get-discount-code --connections 4 --in-flight 64 --duration 5
            Sets up its own data (price rule, codes, voucher pool, agents, campaign) unless --fixtures names a
            file written by `discountctl bench fixtures`. scripts/load-test runs every scenario against the peers.
            """,
        subcommands: [BenchRunCommand.self, BenchFixturesCommand.self, BenchTableCommand.self],
        defaultSubcommand: BenchRunCommand.self)
}
