import Foundation
import Testing

/// discountctl's Vouchers subcommands as a process against a live daemon.
@Suite struct DiscountctlVouchersTests {
    @Test func voucherCommandsPrintTheSeedsShape() async throws {
        try await withTestDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let created = try await discountctlJSON(["create-voucher-pool", "--name", "Spring"], socket)
            let poolID = try #require((created["pool"] as? [String: Any])?["id"] as? String)

            let added = try await discountctlJSON(
                [
                    "add-voucher-codes", "--pool-id", poolID, "--code", "S-1", "--code", "S-2",
                    "--code", "s-1", "--code", "S-3",
                ], socket)
            let addedJSON = added
            #expect(addedJSON["added"] as? Int == 3 && addedJSON["duplicates"] as? Int == 1)
            let generated = try await discountctlJSON(
                ["add-voucher-codes", "--pool-id", poolID, "--count", "50", "--prefix", "G-"], socket)
            #expect(generated["added"] as? Int == 50)

            let assigned = try await discountctlJSON(
                [
                    "assign-voucher-code", "--pool-id", poolID, "--customer-id", "ann",
                    "--used-by", "mail",
                ], socket)
            #expect(assigned["code"] as? String == "S-1")
            let redeemed = try await discountctlJSON(["redeem-voucher-code", "--code", "s-1"], socket)
            #expect(redeemed["status"] as? String == "redeemed")
            let twice = try await discountctl(["redeem-voucher-code", "--code", "S-1"] + socket)
            #expect(twice.status == 65 && twice.stderr.contains("ALREADY_REDEEMED"))

            let pools = try jsonObject(try await discountctl(["list-voucher-pools"] + socket).stdout)
            #expect(pools["success"] as? Bool == true && pools["error"] is NSNull)
            let poolList = try #require(pools["data"] as? [[String: Any]])
            #expect(poolList.count == 1)
            #expect(poolList.first?["id"] as? String == poolID && poolList.first?["name"] as? String == "Spring")
            #expect(poolList.first?["total"] as? Int == 53 && poolList.first?["available"] as? Int == 52)

            let pool = try jsonObject(try await discountctl(["get-voucher-pool", "--pool-id", poolID] + socket).stdout)
            let poolData = try #require(pool["data"] as? [String: Any])
            #expect(pool["success"] as? Bool == true && pool["error"] is NSNull)
            #expect(poolData["company_id"] as? String == "default" && poolData["used_by"] as? [String] == ["mail"])
            #expect(poolData["total"] as? Int == 53 && poolData["available"] as? Int == 52)

            let page = try jsonObject(
                try await discountctl(["list-voucher-codes", "--pool-id", poolID, "--skip", "1", "--count", "2"] + socket).stdout)
            #expect(page["success"] as? Bool == true && page["error"] is NSNull)
            #expect(page["matched"] as? Int == 53 && page["matched_limited"] as? Bool == false)
            #expect(page["skip"] as? Int == 1 && page["limit"] as? Int == 2)
            let codes = try #require(page["data"] as? [[String: Any]])
            #expect(codes.map { $0["code"] as? String } == ["S-2", "S-3"])
            #expect(
                codes.allSatisfy {
                    $0["status"] as? String == "available" && $0["assigned_time"] is NSNull && $0["redeemed_time"] is NSNull
                })
            let redeemedPage = try jsonObject(
                try await discountctl(["list-voucher-codes", "--pool-id", poolID, "--status", "redeemed"] + socket).stdout)
            #expect(redeemedPage["matched"] as? Int == 1)
            let redeemedCode = try #require((redeemedPage["data"] as? [[String: Any]])?.first)
            #expect(redeemedCode["assigned_time"] is String && redeemedCode["redeemed_time"] is String)

            let tooMany = try await discountctl(["list-voucher-codes", "--pool-id", poolID, "--count", "1001"] + socket)
            #expect(tooMany.status == 65, "\(tooMany.stderr)")
            let failure = try jsonObject(tooMany.stdout)
            #expect(failure["success"] as? Bool == false && failure["data"] is NSNull)
            #expect((failure["error"] as? String)?.contains("count") == true)
            let unknown = try await discountctl(["get-voucher-pool", "--pool-id", "nope"] + socket)
            #expect(unknown.status == 66)
            #expect(try jsonObject(unknown.stdout)["success"] as? Bool == false)

            let export = try await discountctl(["export-voucher-codes", "--pool-id", poolID] + socket)
            #expect(export.status == 0, "\(export.stderr)")
            #expect(export.stdout.split(separator: "\n").count == 53)

            let projects = try jsonObject(try await discountctl(["list-projects"] + socket).stdout)
            #expect((projects["projects"] as? [[String: Any]])?.first?["id"] as? String == "default")
            let deleted = try jsonObject(try await discountctl(["delete-voucher-pool", "--pool-id", poolID] + socket).stdout)
            #expect(deleted["deleted_codes"] as? Int == 53)
        }
    }
}
