import ArgumentParser
import DiscountServices
import DiscountStore
import Logging

/// `discountd create-token`: the first token of a daemon started with
/// --require-auth, which otherwise no call could create. Runs on the data
/// folder while the daemon is stopped (it takes the same lock), or on the
/// PostgreSQL database of --postgres (daemons may be running), and prints
/// the secret once, to stdout.
struct CreateTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-token",
        abstract: "Create a token in a stopped daemon's data folder and print its secret once.",
        discussion: """
            For a daemon run with --require-auth: create its first admin token here, start the daemon, and \
            create every other token through it (discountctl create-token).
            Example: discountd create-token --data-dir ./data --scopes admin --name operator
            """)

    @OptionGroup var dataFolder: DataFolderOptions
    var dataDir: String { dataFolder.dataDir }

    @Option(help: "Project the token acts for.")
    var project: String = "default"

    @Option(help: "Comma-separated scopes, e.g. admin or read_price_rules,write_price_rules.")
    var scopes: String = "admin"

    @Option(help: "A name to tell the token by.")
    var name: String = "bootstrap"

    func run() async throws {
        // stdout carries the secret alone.
        var logger = Logger(label: "discountd") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let scopeList = scopes.split(separator: ",").map { String($0).trimmingSpaces }
        guard !scopeList.isEmpty, scopeList.allSatisfy({ Scope(rawValue: $0) != nil }) else {
            throw ValidationError("--scopes must list known scopes: \(Scope.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let opened = try await OpenedStore.open(dataFolder, logger: logger)
        defer { withExtendedLifetime(opened.lock) {} }
        let store = opened.store
        do {
            guard try await store.project(id: project) != nil else { throw ValidationError("no project \(project)") }
            let (secret, record) = try await TokenAuthority(store: store).issue(
                projectID: project, name: name, scopes: scopeList, expiresAt: nil)
            await store.close()
            print(secret)
            printError(
                "token \(record.id) for project \(project) with scopes \(scopeList.joined(separator: ",")); the secret above is shown once"
            )
        } catch {
            await store.close()
            throw error
        }
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
