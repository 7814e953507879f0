import Foundation
import Testing

/// discountctl's PriceRules and Admin subcommands as a process against a live daemon.
@Suite struct DiscountctlPriceRulesTests {
    @Test func createRuleThenCodeThenGetPrintsTheSeedsFields() async throws {
        try await withDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let created = try await discountctlJSON(
                [
                    "create-price-rule", "--title", "Summer", "--value-type", "percentage",
                    "--value", "15", "--starts-at", "2025-06-01T00:00:00Z",
                    "--ends-at", "2099-09-01T12:30:00.5+02:00", "--usage-limit", "100",
                    "--once-per-customer",
                ], socket)
            let rule = try #require(created["price_rule"] as? [String: Any])
            let ruleID = try #require(rule["id"] as? String)
            #expect(rule["title"] as? String == "Summer")
            #expect(rule["value_type"] as? String == "percentage")
            #expect(rule["value"] as? Double == 15)
            #expect(rule["starts_at"] as? String == "2025-06-01T00:00:00Z")
            #expect(rule["ends_at"] as? String == "2099-09-01T10:30:00.500Z", "offset applied, RFC 3339 UTC out")
            #expect(rule["usage_limit"] as? Int == 100)
            #expect(rule["once_per_customer"] as? Bool == true)

            let code = try await discountctlJSON(
                [
                    "create-discount-code", "--price-rule-id", ruleID, "--code", "SUMMER15",
                    "--use-with-other", "--usage-limit", "3",
                ], socket)
            let codeJSON = code
            #expect(Array(codeJSON.keys) == ["discount_codes"], "the seed's shape")
            let codes = try #require(codeJSON["discount_codes"] as? [[String: Any]])
            #expect(codes.count == 1)
            let codeID = try #require(codes.first?["id"] as? String)

            let got = try await discountctl(
                ["get-discount-code", "--price-rule-id", ruleID, "--discount-code-id", codeID] + socket)
            #expect(got.status == 0, "\(got.stderr)")
            let discountCode = try #require(try jsonObject(got.stdout)["discount_code"] as? [String: Any])
            for field in ["id", "price_rule_id", "code", "created_at", "updated_at", "use_with_other", "usage_count"] {
                #expect(discountCode[field] != nil, "get-discount-code prints \(field): \(got.stdout)")
            }
            #expect(discountCode["id"] as? String == codeID)
            #expect(discountCode["price_rule_id"] as? String == ruleID)
            #expect(discountCode["code"] as? String == "SUMMER15")
            #expect(discountCode["use_with_other"] as? Bool == true)
            #expect(discountCode["usage_count"] as? Int == 0)
            #expect(discountCode["usage_limit"] as? Int == 3)
            let createdAt = try #require(discountCode["created_at"] as? String)
            #expect(createdAt.hasSuffix("Z") && createdAt.contains("T"), "RFC 3339: \(createdAt)")

            let lookup = try await discountctl(["lookup-discount-code", "--code", "summer15"] + socket)
            #expect(lookup.status == 0)
            #expect((try jsonObject(lookup.stdout)["price_rule"] as? [String: Any])?["id"] as? String == ruleID)

            let rules = try await discountctl(["list-price-rules", "--all"] + socket)
            #expect(rules.status == 0)
            #expect((try jsonObject(rules.stdout)["price_rules"] as? [[String: Any]])?.count == 1)

            let updated = try await discountctlJSON(
                [
                    "update-price-rule", "--price-rule-id", ruleID, "--title", "Summer II",
                    "--clear-usage-limit", "--no-once-per-customer",
                ], socket)
            let updatedRule = try #require(updated["price_rule"] as? [String: Any])
            #expect(updatedRule["title"] as? String == "Summer II")
            #expect(updatedRule["usage_limit"] == nil && updatedRule["once_per_customer"] as? Bool == false)

            let renamed = try await discountctlJSON(
                [
                    "update-discount-code", "--price-rule-id", ruleID, "--discount-code-id", codeID,
                    "--code", "AUTUMN", "--no-use-with-other",
                ], socket)
            let renamedCode = try #require(renamed["discount_code"] as? [String: Any])
            #expect(renamedCode["code"] as? String == "AUTUMN" && renamedCode["use_with_other"] as? Bool == false)

            let deleted = try await discountctl(
                ["delete-discount-code", "--price-rule-id", ruleID, "--discount-code-id", codeID] + socket)
            #expect(deleted.status == 0)
            #expect(try jsonObject(deleted.stdout)["discount_code_id"] as? String == codeID)
            let deletedRule = try await discountctl(["delete-price-rule", "--price-rule-id", ruleID] + socket)
            #expect(deletedRule.status == 0)
            #expect(try jsonObject(deletedRule.stdout)["deleted_discount_codes"] as? Int == 0)
        }
    }

    @Test func notFoundExits66WithTheReason() async throws {
        try await withDaemon { daemon in
            let missing = UUID().uuidString.lowercased()
            let result = try await discountctl(["get-price-rule", "--price-rule-id", missing, "--socket", daemon.socketPath])
            #expect(result.status == 66)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains("NOT_FOUND"))
            #expect(result.stderr.contains("reason: PRICE_RULE_NOT_FOUND"), "\(result.stderr)")
            #expect(result.stderr.contains(missing))

            let lookup = try await discountctl(["lookup-discount-code", "--code", "NOPE", "--socket", daemon.socketPath])
            #expect(lookup.status == 66)
            #expect(lookup.stderr.contains("reason: DISCOUNT_CODE_NOT_FOUND"), "\(lookup.stderr)")
        }
    }

    @Test func invalidArgumentExits65WithTheField() async throws {
        try await withDaemon { daemon in
            let result = try await discountctl([
                "create-price-rule", "--title", "Too much", "--value-type", "percentage",
                "--value", "150", "--socket", daemon.socketPath,
            ])
            #expect(result.status == 65)
            #expect(result.stderr.contains("INVALID_ARGUMENT"))
            #expect(result.stderr.contains("field: value"), "\(result.stderr)")

            let page = try await discountctl(["list-price-rules", "--socket", daemon.socketPath, "--page-size", "5000"])
            #expect(page.status == 64, "checked before calling: a usage error")
        }
    }

    @Test func usageErrorsExit64() async throws {
        let cases: [[String]] = [
            ["create-price-rule", "--title", "t", "--value-type", "percent", "--value", "5"],
            ["create-price-rule", "--title", "t", "--value-type", "percentage", "--value", "5", "--starts-at", "yesterday"],
            ["create-price-rule", "--title", "t", "--value-type", "fixed_amount", "--value", "500"],
            ["create-price-rule", "--title", " ", "--value-type", "percentage", "--value", "5"],
            ["update-price-rule", "--price-rule-id", "r"],
            ["update-price-rule", "--price-rule-id", "r", "--usage-limit", "3", "--clear-usage-limit"],
            ["batch-create-discount-codes", "--price-rule-id", "r"],
            ["batch-create-discount-codes", "--price-rule-id", "r", "--code", "A", "--count", "3"],
            ["batch-create-discount-codes", "--price-rule-id", "r", "--count", "0"],
            ["create-token", "--project-id", "p"],
            ["create-token", "--project-id", "p", "--scope", "fly"],
            ["redeem-discount-code", "--code", "A"],
            ["list-discount-codes", "--price-rule-id", "r", "--page-size", "0"],
        ]
        for arguments in cases {
            let result = try await discountctl(arguments + ["--socket", "/tmp/no-such-discountd.sock"])
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
        }
    }

    @Test func batchRedeemValidateAndRollback() async throws {
        try await withDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let rule = try jsonObject(
                try await discountctl(
                    [
                        "create-price-rule", "--title", "Bulk", "--value-type", "fixed_amount",
                        "--value", "500", "--currency", "EUR",
                    ] + socket
                ).stdout)
            let ruleID = try #require((rule["price_rule"] as? [String: Any])?["id"] as? String)

            let file = daemon.directory.appendingPathComponent("codes.txt")
            try "ALPHA\n\n  BETA  \nalpha\nGAMMA\n".write(to: file, atomically: true, encoding: .utf8)
            let fromFile = try await discountctlJSON(
                [
                    "batch-create-discount-codes", "--price-rule-id", ruleID,
                    "--codes-file", file.path, "--code", "DELTA", "--usage-limit", "1",
                ], socket)
            let fileResult = fromFile
            #expect(fileResult["created"] as? Int == 4)
            #expect(fileResult["rejected_count"] as? Int == 1)
            #expect((fileResult["rejected"] as? [[String: Any]])?.first?["reason"] as? String == "DUPLICATE_IN_REQUEST")

            let generated = try await discountctl(
                [
                    "batch-create-discount-codes", "--price-rule-id", ruleID, "--count", "300",
                    "--prefix", "CLI-", "--length", "6", "--progress",
                ] + socket)
            #expect(generated.status == 0, "\(generated.stderr)")
            #expect(try jsonObject(generated.stdout)["created"] as? Int == 300)
            #expect(generated.stderr.contains("progress: "), "progress on stderr with --progress: \(generated.stderr)")

            let listed = try await discountctl(
                ["list-discount-codes", "--price-rule-id", ruleID, "--all", "--page-size", "50"] + socket)
            #expect(listed.status == 0)
            #expect((try jsonObject(listed.stdout)["discount_codes"] as? [[String: Any]])?.count == 304)

            let unreadable = try await discountctl(
                [
                    "batch-create-discount-codes", "--price-rule-id", ruleID,
                    "--codes-file", "/nonexistent/codes.txt",
                ] + socket)
            #expect(unreadable.status == 66)

            let redeemed = try await discountctlJSON(
                [
                    "redeem-discount-code", "--code", "beta", "--order-id", "o-1",
                    "--customer-id", "c-1",
                ], socket)
            let redeemedJSON = redeemed
            #expect(redeemedJSON["redeemed"] as? Bool == true && redeemedJSON["usage_count"] as? Int == 1)

            let refused = try await discountctl(["redeem-discount-code", "--code", "BETA", "--order-id", "o-2"] + socket)
            #expect(refused.status == 65, "a refusal is a data error")
            #expect(refused.stderr.contains("reason: USAGE_LIMIT_REACHED"), "\(refused.stderr)")

            let validation = try await discountctl(["validate-discount-code", "--code", "BETA"] + socket)
            #expect(validation.status == 0)
            let validationJSON = try jsonObject(validation.stdout)
            #expect(validationJSON["valid"] as? Bool == false && validationJSON["reason"] as? String == "USAGE_LIMIT_REACHED")

            let rollback = try await discountctl(["rollback-redemption", "--order-id", "o-1"] + socket)
            #expect(rollback.status == 0)
            #expect(try jsonObject(rollback.stdout)["released"] as? Int == 1)
            let again = try await discountctl(["rollback-redemption", "--order-id", "o-1"] + socket)
            #expect(try jsonObject(again.stdout)["released"] as? Int == 0)
            #expect(
                try jsonObject(try await discountctl(["validate-discount-code", "--code", "BETA"] + socket).stdout)["valid"]
                    as? Bool == true)
        }
    }

    @Test func idempotencyKeyFromTheCommandLine() async throws {
        try await withDaemon { daemon in
            let arguments = [
                "create-price-rule", "--title", "Keyed", "--value-type", "percentage", "--value", "10",
                "--idempotency-key", "cli-key", "--socket", daemon.socketPath,
            ]
            let first = try await discountctl(arguments)
            let second = try await discountctl(arguments)
            #expect(first.status == 0 && second.status == 0)
            #expect(first.stdout == second.stdout, "the first answer again")
            let other = try await discountctl([
                "create-price-rule", "--title", "Other", "--value-type", "percentage",
                "--value", "10", "--idempotency-key", "cli-key", "--socket", daemon.socketPath,
            ])
            #expect(other.status == 65)
            #expect(other.stderr.contains("reason: IDEMPOTENCY_KEY_REUSED"), "\(other.stderr)")
        }
    }

    @Test func projectsTokensAndStats() async throws {
        try await withDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let project = try await discountctlJSON(["create-project", "--name", "cli-project"], socket)
            let projectID = try #require((project["project"] as? [String: Any])?["id"] as? String)

            let reader = try await discountctlJSON(
                [
                    "create-token", "--project-id", projectID, "--scope", "read_price_rules",
                    "--name", "reader",
                ], socket)
            let readerJSON = reader
            let secret = try #require(readerJSON["token"] as? String)
            let tokenID = try #require(readerJSON["token_id"] as? String)
            #expect(readerJSON["scopes"] as? [String] == ["read_price_rules"])

            let env = ["DISCOUNTD_TOKEN": secret, "DISCOUNTD_SOCKET": daemon.socketPath]
            let listed = try await discountctl(["list-price-rules"], environment: env)
            #expect(listed.status == 0, "\(listed.stderr)")
            let denied = try await discountctl(
                ["create-price-rule", "--title", "t", "--value-type", "percentage", "--value", "5"],
                environment: env)
            #expect(denied.status == 77)
            #expect(
                denied.stderr.contains("reason: SCOPE_MISSING") && denied.stderr.contains("write_price_rules"), "\(denied.stderr)"
            )

            let revoked = try await discountctl(["revoke-token", "--token-id", tokenID] + socket)
            #expect(revoked.status == 0)
            #expect(try jsonObject(revoked.stdout)["revoked"] as? Bool == true)
            let after = try await discountctl(["list-price-rules"], environment: env)
            #expect(after.status == 77)
            #expect(after.stderr.contains("UNAUTHENTICATED"))

            let stats = try await discountctlJSON(["stats"], socket)
            let statsJSON = stats
            #expect(statsJSON["methods"] is [[String: Any]])
            #expect(statsJSON["cache_hit_ratio"] != nil)
        }
    }
}
