import Foundation
import Testing

/// Every discountctl subcommand, as `discountctl --help` lists it, has help with an example.
@Suite struct DiscountctlHelpTests {
    /// The names under SUBCOMMANDS in `discountctl --help` (so a new command is checked too).
    static func subcommands() async throws -> [String] {
        let help = try await discountctl(["--help"])
        let section = help.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        return section.split(separator: "\n").compactMap { line in
            line.wholeMatch(of: #/  ([a-z][a-z0-9-]*)(\s.*)?/#).map { String($0.1) }
        }.filter { $0 != "help" }
    }

    @Test func theListHasTheSeedsCommandsAndMCP() async throws {
        let names = try await Self.subcommands()
        for name in [
            "register-agent", "get-active-campaigns", "get-my-discount-code", "create-discount-code",
            "get-discount-code", "list-voucher-pools", "get-voucher-pool", "list-voucher-codes", "mcp",
        ] {
            #expect(names.contains(name), "discountctl --help lists \(name): \(names)")
        }
        #expect(names.count >= 40, "\(names)")
    }

    @Test func everySubcommandHasHelpWithAnExample() async throws {
        let names = try await Self.subcommands()
        #expect(!names.isEmpty)
        for name in names {
            let result = try await discountctl([name, "--help"])
            #expect(result.status == 0, "\(name) --help: \(result.stderr)")
            #expect(result.stdout.contains("Example"), "\(name) --help shows an example")
            #expect(result.stdout.contains("discountctl \(name)"), "\(name)'s example runs it")
            // A group (bench) has its shared options on its subcommands.
            if !result.stdout.contains("SUBCOMMANDS:") {
                #expect(result.stdout.contains("--socket"), "\(name) takes the shared options")
            }
        }
    }
}
