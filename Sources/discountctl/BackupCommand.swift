import ArgumentParser
import DiscountClient

#if canImport(Glibc)
import Glibc
#endif

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the daemon's store, consistently, while it keeps serving (admin scope).",
        discussion: """
            The daemon writes the copy itself, so the path is on its host (a relative
            path is taken from this command's folder). It must not exist yet. Prints
            {"path", "size_bytes", "duration_seconds", "completed_at"}. To restore,
            start discountd with the copy as discountd.sqlite in an empty data folder.

            Example: discountctl backup --path /var/backups/discountd-$(date +%F).sqlite
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "Where the copy goes; must not exist.")
    var path: String

    func validate() throws { try Check.notBlank(path, "--path") }

    func run() async throws {
        let absolute = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        try await runReporting {
            try JSONOutput.print(try await client.withClient { try await $0.backup(path: absolute) })
        }
    }

    private func currentDirectory() -> String {
        guard let path = getcwd(nil, 0) else { return "." }
        defer { free(path) }
        return String(cString: path)
    }
}
