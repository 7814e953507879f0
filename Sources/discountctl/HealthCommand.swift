import ArgumentParser
import DiscountClient

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that the daemon is serving.",
        discussion: "Example: discountctl health --socket ./discountd.sock")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await client.printAnswer { try await $0.health() }
    }
}
