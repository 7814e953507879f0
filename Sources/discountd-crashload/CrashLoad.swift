import ArgumentParser

/// The load client of scripts/crash-test and scripts/soak: sets up a
/// project's fixtures, drives a mixed write load that logs every acknowledged
/// write, and checks a (restarted) daemon against that log.
@main
struct CrashLoad: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discountd-crashload",
        abstract: "Mixed write load with an acknowledgement log, and its checker.",
        subcommands: [SetupCommand.self, LoadCommand.self, CheckCommand.self, WaitCommand.self])
}

/// Options of every subcommand.
struct CommonOptions: ParsableArguments {
    @Option(help: "The daemon's socket.")
    var socket: String

    @Option(help: "Fixture ids written by `setup`, read by `load` and `check`.")
    var state: String
}
