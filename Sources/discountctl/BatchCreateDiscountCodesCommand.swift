import ArgumentParser
import DiscountClient
import Foundation

#if canImport(Glibc)
import Glibc
#endif

struct BatchCreateDiscountCodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch-create-discount-codes",
        abstract: "Create many discount codes at once: an explicit list, or generated ones.",
        discussion: """
            Give the codes with repeated --code or --codes-file (one per line, blank lines skipped; \
            - reads stdin), or generate them with --count (and --prefix, --length, --charset). \
            Progress goes to stderr (on a terminal, or with --progress); the result is printed as \
            {"created": N, "rejected_count": N, "rejected": [{"code", "reason"}]} where reason is \
            CODE_TAKEN, DUPLICATE_IN_REQUEST or INVALID_CODE.

            Examples:
              discountctl batch-create-discount-codes --price-rule-id "$RULE_ID" \\
                --count 100000 --prefix SUMMER- --length 8
              discountctl batch-create-discount-codes --price-rule-id "$RULE_ID" \\
                --codes-file codes.txt --usage-limit 1
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The price rule the codes apply.")
    var priceRuleId: String

    @Option(help: "A code to create (repeat for more).")
    var code: [String] = []

    @Option(help: "File with one code per line (- for stdin).")
    var codesFile: String?

    @Option(help: "How many codes to generate, 1..1000000.")
    var count: Int32?

    @Option(help: "Literal text before every generated code, e.g. SUMMER-.")
    var prefix: String?

    @Option(help: "Length of the random part of a generated code (default 8).")
    var length: Int32?

    @Option(help: "Alphabet of the random part (default: upper-case letters and digits without 0/O, 1/I/L).")
    var charset: String?

    @Flag(help: "The codes may be combined with other discounts.")
    var useWithOther = false

    @Option(help: "Uses of each code (default: unlimited).")
    var usageLimit: Int64?

    @Flag(inversion: .prefixedNo, help: "Print progress on stderr (default: when stderr is a terminal).")
    var progress: Bool?

    @Option(help: "Seconds to wait for the whole batch (default: --timeout).")
    var batchTimeout: Double?

    var generates: Bool { count != nil || prefix != nil || length != nil || charset != nil }

    func validate() throws {
        try Check.notBlank(priceRuleId, "--price-rule-id")
        let explicit = !code.isEmpty || codesFile != nil
        guard explicit != generates else {
            throw ValidationError(
                explicit
                    ? "give either codes (--code, --codes-file) or a generator (--count, --prefix, --length, --charset), not both"
                    : "give codes with --code or --codes-file, or generate them with --count")
        }
        if generates {
            guard let count else { throw ValidationError("--count is required to generate codes") }
            guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be between 1 and 1000000") }
            if let length, !(1...255).contains(length) { throw ValidationError("--length must be between 1 and 255") }
            if let charset, charset.isEmpty { throw ValidationError("--charset must not be empty") }
        }
        try Check.positive(usageLimit, "--usage-limit")
        if let batchTimeout, !(batchTimeout > 0) { throw ValidationError("--batch-timeout must be positive") }
    }

    func run() async throws {
        try await runReporting {
            var request = BatchCreateDiscountCodesRequest(
                priceRuleId: priceRuleId, useWithOther: useWithOther, usageLimit: usageLimit)
            if generates {
                request.generator = CodeGenerator(
                    count: count ?? 0, prefix: prefix ?? "", length: length ?? 0, charset: charset ?? "")
            } else {
                request.codes = code + (try codesFile.map(Self.readCodes) ?? [])
                if request.codes.isEmpty { throw CLIFailure.input("\(codesFile ?? "--codes-file") holds no codes") }
            }
            let showProgress = progress ?? (isatty(STDERR_FILENO) == 1)
            let timeout = batchTimeout.map { Duration.nanoseconds(Int64($0 * 1e9)) }
            let result = try await client.withClient { client in
                try await client.batchCreateDiscountCodes(
                    request, idempotencyKey: write.idempotencyKey, timeout: timeout
                ) { update in
                    if showProgress { FileHandleOutput.standardError("progress: \(update.processed)/\(update.total)") }
                }
            }
            try JSONOutput.print(result)
        }
    }

    /// One code per line, trimmed; blank lines skipped.
    static func readCodes(_ path: String) throws -> [String] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIFailure.input("cannot read --codes-file \(path)")
            }
            data = contents
        }
        return String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
