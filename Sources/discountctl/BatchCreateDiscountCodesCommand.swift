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
        discussion: CodeSourceOptions.discussion(
            printing: """
                {"created": N, "rejected_count": N, "rejected": [{"code", "reason"}]} where reason is \
                CODE_TAKEN, DUPLICATE_IN_REQUEST or INVALID_CODE.

                Examples:
                  discountctl batch-create-discount-codes --price-rule-id "$RULE_ID" \\
                    --count 100000 --prefix SUMMER- --length 8
                  discountctl batch-create-discount-codes --price-rule-id "$RULE_ID" \\
                    --codes-file codes.txt --usage-limit 1
                """))

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The price rule the codes apply.")
    var priceRuleId: String

    @OptionGroup var source: CodeSourceOptions

    @Flag(help: "The codes may be combined with other discounts.")
    var useWithOther = false

    @Option(help: "Uses of each code (default: unlimited).")
    var usageLimit: Int64?

    @Option(help: "Seconds to wait for the whole batch (default: --timeout).")
    var batchTimeout: Double?

    func validate() throws {
        try Check.notBlank(priceRuleId, "--price-rule-id")
        try Check.positive(usageLimit, "--usage-limit")
        if let batchTimeout, !(batchTimeout > 0) { throw ValidationError("--batch-timeout must be positive") }
    }

    func run() async throws {
        try await runReporting {
            var request = BatchCreateDiscountCodesRequest(
                priceRuleId: priceRuleId, useWithOther: useWithOther, usageLimit: usageLimit)
            if let generator = source.generator {
                request.generator = generator
            } else {
                request.codes = try source.listedCodes()
            }
            let progress = source.progressDisplay()
            defer { progress.finish() }  // before the result or an error
            let timeout = batchTimeout.map { Duration.nanoseconds(Int64($0 * 1e9)) }
            let result = try await client.withClient { client in
                try await client.batchCreateDiscountCodes(
                    request, idempotencyKey: write.idempotencyKey, timeout: timeout
                ) { progress.update($0) }
            }
            progress.finish()
            try client.print(result)
        }
    }
}
