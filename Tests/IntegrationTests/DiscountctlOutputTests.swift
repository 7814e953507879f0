import Foundation
import ProcessSpawning
import Testing

/// `--output json|table`, the progress bar, and what failures print.
@Suite struct DiscountctlOutputTests {
    @Test func tableOutputIsDrawnFromTheJSON() async throws {
        try await withTestDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let pool = try jsonObject(try await discountctl(["create-voucher-pool", "--name", "Spring"] + socket).stdout)
            let poolID = try #require((pool["pool"] as? [String: Any])?["id"] as? String)
            _ = try await discountctl(["add-voucher-codes", "--pool-id", poolID, "--code", "S-1", "--code", "S-2"] + socket)

            let page = try await discountctl(["list-voucher-codes", "--pool-id", poolID, "--output", "table"] + socket)
            #expect(page.status == 0, "\(page.stderr)")
            let lines = page.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            #expect(lines.contains { $0.wholeMatch(of: /matched +2/) != nil }, "scalars as key value: \(page.stdout)")
            #expect(lines.contains { $0.wholeMatch(of: /success +true/) != nil }, "\(page.stdout)")
            #expect(lines.contains("data (2):"), "\(page.stdout)")
            #expect(
                lines.contains { $0.wholeMatch(of: /CODE +STATUS +ASSIGNED_TIME +REDEEMED_TIME/) != nil },
                "a header: \(page.stdout)")
            #expect(lines.contains { $0.wholeMatch(of: /S-1 +available +- +-/) != nil }, "a row per code: \(page.stdout)")

            let rule = try await discountctl(
                [
                    "create-price-rule", "--title", "Summer", "--value-type", "percentage", "--value", "15",
                    "--output", "table",
                ] + socket)
            #expect(rule.status == 0, "\(rule.stderr)")
            #expect(rule.stdout.contains("price_rule.title"), "nested objects flattened: \(rule.stdout)")
            #expect(
                rule.stdout.split(separator: "\n").contains { $0.wholeMatch(of: /price_rule.value +15/) != nil }, "\(rule.stdout)"
            )

            let empty = try await discountctl(["get-active-campaigns", "--output", "table"] + socket)
            #expect(empty.stdout == "campaigns (0):\n(none)\n", "\(empty.stdout)")

            let export = try await discountctl(["export-voucher-codes", "--pool-id", poolID, "--output", "table"] + socket)
            #expect(export.stdout.hasPrefix("CODE"), "\(export.stdout)")
            #expect(export.stdout.split(separator: "\n").count == 3, "a header and two rows: \(export.stdout)")

            let json = try await discountctl(["list-voucher-codes", "--pool-id", poolID, "--output", "json"] + socket)
            #expect(try jsonObject(json.stdout)["matched"] as? Int == 2, "explicit json")
            let bad = try await discountctl(["health", "--output", "yaml"] + socket)
            #expect(bad.status == 64, "\(bad.stderr)")
        }
    }

    @Test func aTerminalGetsATableAndAProgressBarAPipeGetsJSONAndQuiet() async throws {
        try await withTestDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let rule = try jsonObject(
                try await discountctl(
                    [
                        "create-price-rule", "--title", "Bulk", "--value-type", "percentage",
                        "--value", "5",
                    ] + socket
                ).stdout)
            let ruleID = try #require((rule["price_rule"] as? [String: Any])?["id"] as? String)
            let batch = ["batch-create-discount-codes", "--price-rule-id", ruleID, "--count", "3000", "--prefix", "T-"] + socket

            let piped = try await discountctl(batch)
            #expect(piped.status == 0, "\(piped.stderr)")
            #expect(piped.stderr.isEmpty, "quiet in a pipe: \(piped.stderr)")
            #expect(try jsonObject(piped.stdout)["created"] as? Int == 3000, "JSON in a pipe")

            let terminal = try await onTerminal(batch.map { $0.replacingOccurrences(of: "T-", with: "U-") })
            #expect(terminal.status == 0, "\(terminal.output)")
            #expect(terminal.output.contains("100%") && terminal.output.contains("3000/3000"), "a bar: \(terminal.output)")
            #expect(terminal.output.contains("[" + String(repeating: "#", count: 30) + "]"), "\(terminal.output)")
            #expect(
                terminal.output.split(whereSeparator: \.isNewline).contains { $0.wholeMatch(of: /created +3000/) != nil },
                "a table on a terminal: \(terminal.output)")
        }
    }

    @Test func failuresPrintStatusMessageAndHintOnStderr() async throws {
        try await withTestDaemon { daemon in
            let unknown = try await discountctl(["get-my-discount-code", "--agent-id", "999", "--socket", daemon.socketPath])
            #expect(unknown.status == 66)
            #expect(unknown.stdout.isEmpty)
            let lines = unknown.stderr.split(separator: "\n").map(String.init)
            #expect(lines.first == "error: NOT_FOUND: Agent not registered. Call register_agent first.", "\(unknown.stderr)")
            #expect(lines.contains("reason: AGENT_NOT_REGISTERED"), "\(unknown.stderr)")
            #expect(lines.contains("hint: Use register_agent to get an agent_id."), "\(unknown.stderr)")

            let table = try await discountctl([
                "get-my-discount-code", "--agent-id", "999", "--output", "table",
                "--socket", daemon.socketPath,
            ])
            #expect(table.status == 66 && table.stderr == unknown.stderr, "the same report whatever the output")
        }
    }
}

/// Runs discountctl on a pseudo-terminal (util-linux `script`): stdout and
/// stderr are a terminal, as for a person at a shell.
func onTerminal(_ arguments: [String]) async throws -> (status: Int32, output: String) {
    let command = ([DaemonProcess.tool("discountctl").path] + arguments).map { "'\($0)'" }.joined(separator: " ")
    let output = try await ChildProcess.run("/usr/bin/script", ["-qec", command, "/dev/null"])
    return (output.status, output.stdout)
}
