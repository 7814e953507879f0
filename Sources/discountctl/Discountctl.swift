import ArgumentParser

@main
struct Discountctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "discountctl",
        abstract: "Talk to discountd over its Unix socket.",
        version: "0.1.0",
        subcommands: [HealthCommand.self, ServerInfoCommand.self])
}
