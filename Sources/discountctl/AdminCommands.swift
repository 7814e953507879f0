import ArgumentParser
import DiscountClient

struct CreateProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-project",
        abstract: "Create a new, empty project (admin scope of the default project).",
        discussion: """
            Prints {"project": {"id", "name", "created_at"}}.

            Example: discountctl create-project --name acme-store
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "Unique project name, 1..255 characters.")
    var name: String

    func validate() throws {
        try Check.notBlank(name, "--name")
        guard name.count <= 255 else { throw ValidationError("--name must be at most 255 characters") }
    }

    func run() async throws {
        try await client.printAnswer {
            try await $0.createProject(name: name, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct CreateTokenCommand: AsyncParsableCommand {
    static let knownScopes = [
        "read_price_rules", "write_price_rules", "read_campaigns", "write_campaigns", "commission",
        "read_vouchers", "write_vouchers", "admin",
    ]

    static let configuration = CommandConfiguration(
        commandName: "create-token",
        abstract: "Create a bearer token for one project with the given scopes.",
        discussion: """
            Prints {"token_id", "token", "project_id", "scopes", "name", "created_at", "expires_at"}. \
            The secret "token" is shown this once; pass it as --token or DISCOUNTD_TOKEN. \
            Scopes: \(knownScopes.joined(separator: ", ")).

            Example:
              discountctl create-token --project-id "$PROJECT_ID" \\
                --scope read_price_rules --scope write_price_rules --name checkout
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The project the token acts on (default: the caller's).")
    var projectId: String?

    @Option(help: "A scope the token holds (repeat for more).")
    var scope: [String] = []

    @Option(help: "A label for people, e.g. marketing-job.")
    var name: String?

    @Option(help: "When the token stops working, RFC 3339 (default: never).")
    var expiresAt: RFC3339Timestamp?

    func validate() throws {
        try Check.notBlank(projectId, "--project-id")
        guard !scope.isEmpty else {
            throw ValidationError("give at least one --scope (\(Self.knownScopes.joined(separator: ", ")))")
        }
        for scope in scope where !Self.knownScopes.contains(scope) {
            throw ValidationError("unknown scope \(scope); known: \(Self.knownScopes.joined(separator: ", "))")
        }
    }

    func run() async throws {
        let request = CreateTokenRequest(
            projectId: projectId ?? "", scopes: scope, name: name ?? "", expiresAt: expiresAt?.timestamp)
        try await client.printAnswer {
            try await $0.createToken(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct RevokeTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke-token",
        abstract: "Revoke a token at once.",
        discussion: """
            Prints {"token_id": "...", "revoked": bool}.

            Example: discountctl revoke-token --token-id "$TOKEN_ID"
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The token's id (token_id from create-token), not its secret.")
    var tokenId: String

    func validate() throws { try Check.notBlank(tokenId, "--token-id") }

    func run() async throws {
        try await client.printAnswer {
            try await $0.revokeToken(id: tokenId, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Show per-method call counts and latencies, cache and sync figures.",
        discussion: """
            --prometheus prints them in the Prometheus text format (discountd_* metrics,
            labelled by service and method), e.g. for node_exporter's textfile collector.

            Example: discountctl stats --prometheus
            """)

    @OptionGroup var client: ClientOptions

    @Flag(help: "Print in the Prometheus text exposition format instead of JSON.")
    var prometheus = false

    func run() async throws {
        try await runReporting {
            let stats = try await client.withClient { try await $0.stats() }
            if prometheus {
                print(PrometheusText.render(stats), terminator: "")
            } else {
                try client.print(stats)
            }
        }
    }
}
