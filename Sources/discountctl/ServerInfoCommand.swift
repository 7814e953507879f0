import ArgumentParser
import DiscountClient

struct ServerInfoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server-info",
        abstract: "Show the daemon's version, uptime, backend, socket and change feed (cache staleness, PostgreSQL connection).",
        discussion: "Example: discountctl server-info")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await client.printAnswer { try await $0.serverInfo() }
    }
}
