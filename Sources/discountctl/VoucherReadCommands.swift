import ArgumentParser
import DiscountClient

#if canImport(Glibc)
import Glibc
#endif

/// Options naming a project (the seed's project_id / company_id).
struct ProjectOption: ParsableArguments {
    @Option(help: "The project (default: the token's own).")
    var projectId: String = ""
}

struct ListProjectsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-projects",
        abstract: "List the projects the token may see.",
        discussion: "Prints {\"projects\": [{\"id\", \"name\", \"created_at\"}]}.\n\nExample: discountctl list-projects")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await client.printAnswer { try await $0.listProjects() }
    }
}

struct ListVoucherPoolsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-voucher-pools",
        abstract: "List a project's voucher pools with their total and available counts.",
        discussion: """
            Prints {"success": true, "data": [{"id", "name", "total", "available"}], "error": null}.

            Example: discountctl list-voucher-pools --project-id "$PROJECT_ID"
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption

    func run() async throws {
        try await runSeedShaped(client) {
            .success(try await client.withClient { try await $0.listVoucherPools(projectID: project.projectId) }.data)
        }
    }
}

struct GetVoucherPoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-voucher-pool",
        abstract: "Show one voucher pool: counts, company_id and used_by.",
        discussion: """
            Prints {"success": true, "data": {"id", "name", "total", "available", "company_id", "used_by", …}, "error": null}.

            Example: discountctl get-voucher-pool --project-id "$PROJECT_ID" --pool-id "$POOL_ID"
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption

    @Option(help: "The pool's id.")
    var poolId: String

    func validate() throws { try Check.notBlank(poolId, "--pool-id") }

    func run() async throws {
        try await runSeedShaped(client) {
            .success(try await client.withClient { try await $0.getVoucherPool(projectID: project.projectId, poolID: poolId) })
        }
    }
}

struct ListVoucherCodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-voucher-codes",
        abstract: "List a page of a pool's codes, optionally of one status.",
        discussion: """
            Prints {"success": true, "data": [{"code", "status", "assigned_time", "redeemed_time"}], \
            "matched", "matched_limited", "skip", "limit", "error": null}.

            Example: discountctl list-voucher-codes --pool-id "$POOL_ID" --skip 1000 --count 100 --status assigned
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption

    @Option(help: "The pool's id.")
    var poolId: String

    @Option(help: "Codes to skip, in pool order (default 0).")
    var skip: Int32 = 0

    @Option(help: "Codes to list, 1..1000 (default 20).")
    var count: Int32?

    @Option(help: "Only codes of this status: available, assigned or redeemed.")
    var status: VoucherCodeStatus?

    func validate() throws {
        try Check.notBlank(poolId, "--pool-id")
        guard skip >= 0 else { throw ValidationError("--skip must not be negative") }
    }

    func run() async throws {
        let request = ListVoucherCodesRequest(
            projectId: project.projectId, poolId: poolId, skip: skip, count: count, status: status)
        try await runSeedShaped(client) {
            let page = try await client.withClient { try await $0.listVoucherCodes(request) }
            return .success(page.data.map(SeedVoucherCode.init), page: page)
        }
    }
}

struct ExportVoucherCodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-voucher-codes",
        abstract: "Print every code of a pool, one JSON object per line.",
        discussion: """
            Streams: memory stays flat however big the pool. Each line is \
            {"code", "status", "assigned_time", "redeemed_time"[, "customer_id", "used_by"]} \
            (JSON Lines), or a table row with --output table.

            Example: discountctl export-voucher-codes --pool-id "$POOL_ID" --status available > codes.jsonl
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption

    @Option(help: "The pool's id.")
    var poolId: String

    @Option(help: "Only codes of this status: available, assigned or redeemed.")
    var status: VoucherCodeStatus?

    @Option(help: "Seconds to wait for the whole export (default: 600).")
    var exportTimeout: Double = 600

    @Flag(
        inversion: .prefixedNo,
        help: "Count exported codes on stderr (default: when stdout is redirected and stderr is a terminal).")
    var progress: Bool?

    func validate() throws { try Check.notBlank(poolId, "--pool-id") }

    func run() async throws {
        let request = ExportVoucherCodesRequest(projectId: project.projectId, poolId: poolId, status: status)
        // The rows are the progress when they go to the terminal.
        let display = ProgressDisplay(forced: progress, isTerminal: isatty(STDERR_FILENO) == 1 && isatty(STDOUT_FILENO) == 0)
        var table =
            (client.output ?? .automatic) == .table
            ? TableStream(columns: ["code", "status", "assigned_time", "redeemed_time", "customer_id", "used_by"]) : nil
        try await runReporting {
            defer { display.finish() }
            try await client.withClient { client in
                var exported: Int64 = 0
                for try await chunk in client.exportVoucherCodes(request, timeout: .nanoseconds(Int64(exportTimeout * 1e9))) {
                    let codes = chunk.codes.map(SeedVoucherCode.init)
                    if table != nil { try table!.print(codes) } else { try JSONOutput.printLines(codes) }
                    exported += Int64(codes.count)
                    display.update(processed: exported, total: 0)
                }
            }
        }
    }
}
