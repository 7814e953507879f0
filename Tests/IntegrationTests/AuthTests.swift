import DiscountClient
import Foundation
import Testing

/// Tokens, scopes and projects (Admin.CreateProject/CreateToken/RevokeToken)
/// as PriceRules sees them, and Admin.Stats.
@Suite struct AuthTests {
    @Test func aReadOnlyTokenCannotWriteAndAWriteOnlyTokenCannotRead() async throws {
        try await withTestDaemon { daemon in
            let owner = try await daemon.client()
            let project = try #require(try await owner.createProject(name: "scoped").project)
            let writer = try await daemon.client(
                .init(
                    token: try await owner.createToken(
                        projectID: project.id, scopes: ["write_price_rules"]
                    ).token))
            let reader = try await daemon.client(
                .init(
                    token: try await owner.createToken(
                        projectID: project.id, scopes: ["read_price_rules"]
                    ).token))
            let rule = try await writer.makeRule()
            let code = try await writer.makeCode(rule, "SCOPED")

            // Reads work with read_price_rules.
            #expect(try await reader.getPriceRule(id: rule.id).priceRule?.id == rule.id)
            #expect(try await reader.lookupDiscountCode(code: "scoped").discountCode?.id == code.id)

            let missingWrite = ["write_price_rules"]
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "CreatePriceRule") {
                try await reader.createPriceRule(.init(title: "t", valueType: .percentage, value: 5))
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "UpdatePriceRule") {
                try await reader.updatePriceRule(.init(priceRuleId: rule.id, title: "x"))
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "DeletePriceRule") {
                try await reader.deletePriceRule(id: rule.id)
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "CreateDiscountCode")
            {
                try await reader.createDiscountCode(priceRuleID: rule.id, code: uniqueCode())
            }
            await expectRPCError(
                .permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "BatchCreateDiscountCodes"
            ) {
                try await reader.runBatch(.init(priceRuleId: rule.id, codes: [uniqueCode()]))
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "UpdateDiscountCode")
            {
                try await reader.updateDiscountCode(.init(priceRuleId: rule.id, discountCodeId: code.id, useWithOther: true))
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "DeleteDiscountCode")
            {
                try await reader.deleteDiscountCode(.init(priceRuleId: rule.id, discountCodeId: code.id))
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "RedeemDiscountCode")
            {
                try await reader.redeemDiscountCode(code: "SCOPED", orderID: "o1")
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingWrite, "RollbackRedemption")
            {
                try await reader.rollbackRedemption(orderID: "o1")
            }

            let missingRead = ["read_price_rules"]
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingRead, "GetPriceRule") {
                try await writer.getPriceRule(id: rule.id)
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingRead, "ListPriceRules") {
                try await writer.listPriceRules()
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingRead, "GetDiscountCode") {
                try await writer.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id)
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingRead, "ListDiscountCodes") {
                try await writer.listDiscountCodes(.init(priceRuleId: rule.id))
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingRead, "LookupDiscountCode") {
                try await writer.lookupDiscountCode(code: "SCOPED")
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: missingRead, "ValidateDiscountCode")
            {
                try await writer.validateDiscountCode(code: "SCOPED")
            }
            // Nothing the refused writes asked for happened.
            let after = try await reader.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id).discountCode
            #expect(after == code)
            #expect(try await reader.getPriceRule(id: rule.id).priceRule == rule)

            // Admin methods need `admin`.
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: ["admin"], "CreateProject") {
                try await writer.createProject(name: "nope")
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: ["admin"], "CreateToken") {
                try await writer.createToken(projectID: project.id, scopes: ["write_price_rules"])
            }
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", messageContains: ["admin"], "Stats") {
                try await writer.stats()
            }
            for client in [owner, writer, reader] { await client.close() }
        }
    }

    @Test func aTokenReachesOnlyItsOwnProject() async throws {
        try await withTestDaemon { daemon in
            let owner = try await daemon.client()
            let (projectA, _, a) = try await projectClient(daemon, owner: owner, name: "project-a")
            let (projectB, _, b) = try await projectClient(daemon, owner: owner, name: "project-b")
            #expect(projectA.id != projectB.id)
            let rule = try await a.makeRule(title: "A's rule")
            let code = try await a.makeCode(rule, "SHARED-TEXT")
            _ = try await a.redeemDiscountCode(code: "SHARED-TEXT", orderID: "a-order")

            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", messageContains: [rule.id], "GetPriceRule") {
                try await b.getPriceRule(id: rule.id)
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", "UpdatePriceRule") {
                try await b.updatePriceRule(.init(priceRuleId: rule.id, title: "stolen"))
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", "DeletePriceRule") {
                try await b.deletePriceRule(id: rule.id)
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", "CreateDiscountCode under A's rule") {
                try await b.createDiscountCode(priceRuleID: rule.id, code: uniqueCode())
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", "ListDiscountCodes of A's rule") {
                try await b.listDiscountCodes(.init(priceRuleId: rule.id))
            }
            await expectRPCError(.notFound, "GetDiscountCode") {
                try await b.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id)
            }
            await expectRPCError(.notFound, "UpdateDiscountCode") {
                try await b.updateDiscountCode(.init(priceRuleId: rule.id, discountCodeId: code.id, code: "MINE"))
            }
            await expectRPCError(.notFound, "DeleteDiscountCode") {
                try await b.deleteDiscountCode(.init(priceRuleId: rule.id, discountCodeId: code.id))
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", "LookupDiscountCode") {
                try await b.lookupDiscountCode(code: "SHARED-TEXT")
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", "RedeemDiscountCode") {
                try await b.redeemDiscountCode(code: "SHARED-TEXT", orderID: "b-order")
            }
            do {
                let validation = try await b.validateDiscountCode(code: "SHARED-TEXT")
                #expect(!validation.valid && validation.discountCode == nil, "B's validate does not see A's code")
                #expect(validation.reason == "DISCOUNT_CODE_NOT_FOUND")
            } catch {
                Issue.record(
                    "ValidateDiscountCode of another project's code should answer valid=false, reason DISCOUNT_CODE_NOT_FOUND; it failed: \(error)"
                )
            }
            #expect(try await b.rollbackRedemption(orderID: "a-order").released == 0, "B cannot roll back A's order")
            #expect(try await b.listPriceRules().priceRules.isEmpty)

            // Code text is unique per project: B may use the same text.
            let bRule = try await b.makeRule(title: "B's rule")
            let bCode = try await b.makeCode(bRule, "shared-text")
            #expect(try await b.lookupDiscountCode(code: "SHARED-TEXT").discountCode?.id == bCode.id)
            #expect(try await a.lookupDiscountCode(code: "SHARED-TEXT").discountCode?.id == code.id)

            // A's data is untouched.
            #expect(try await a.getPriceRule(id: rule.id).priceRule == rule)
            let aCode = try await a.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id).discountCode
            #expect(aCode?.code == "SHARED-TEXT" && aCode?.usageCount == 1)
            #expect(try await a.listPriceRules().priceRules.map(\.id) == [rule.id])
            // The owner acts on the default project, which holds neither.
            #expect(try await owner.listPriceRules().priceRules.isEmpty)
            for client in [owner, a, b] { await client.close() }
        }
    }

    @Test func requireAuthRefusesPriceRuleCallsWithoutAToken() async throws {
        // Tokens are made by the owner on an open daemon, then the daemon is
        // restarted with --require-auth on the same data.
        let open = try await DaemonProcess.start()
        defer { open.remove() }
        let owner = try await open.client()
        let project = try #require(try await owner.createProject(name: "locked").project)
        let token = try await owner.createToken(
            projectID: project.id, scopes: ["read_price_rules", "write_price_rules"], name: "locked")
        await owner.close()
        #expect(await open.stop() == 0)

        let locked = try DaemonProcess(arguments: ["--require-auth"], directory: open.directory)
        try await locked.start()
        let anonymous = try await locked.client()
        await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "ListPriceRules without a token") {
            try await anonymous.listPriceRules()
        }
        await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "CreatePriceRule without a token") {
            try await anonymous.createPriceRule(.init(title: "t", valueType: .percentage, value: 5))
        }
        await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "RedeemDiscountCode without a token") {
            try await anonymous.redeemDiscountCode(code: "X", orderID: "o")
        }
        await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "BatchCreateDiscountCodes without a token") {
            try await anonymous.runBatch(.init(priceRuleId: "r", codes: ["X"]))
        }
        await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "CreateProject without a token") {
            try await anonymous.createProject(name: "x")
        }
        let forged = try await locked.client(.init(token: token.token + "x"))
        await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "a wrong secret") {
            try await forged.listPriceRules()
        }
        let holder = try await locked.client(.init(token: token.token))
        let rule = try await holder.makeRule()
        _ = try await holder.makeCode(rule, "LOCKED")
        #expect(try await holder.redeemDiscountCode(code: "LOCKED", orderID: "o1").redeemed)
        #expect(try await holder.listPriceRules().priceRules.map(\.id) == [rule.id])
        for client in [anonymous, forged, holder] { await client.close() }
        #expect(await locked.stop() == 0)
    }

    @Test func aRevokedTokenIsUnauthenticatedAtOnce() async throws {
        try await withTestDaemon { daemon in
            let owner = try await daemon.client()
            let (project, token, client) = try await projectClient(daemon, owner: owner)
            #expect(token.projectId == project.id)
            #expect(Set(token.scopes) == ["read_price_rules", "write_price_rules"])
            #expect(!token.token.isEmpty && !token.tokenId.isEmpty && token.token != token.tokenId)
            #expect(token.name == "test" && token.createdAt != nil)
            let rule = try await client.makeRule()

            let revoked = try await owner.revokeToken(id: token.tokenId)
            #expect(revoked.tokenId == token.tokenId && revoked.revoked)
            await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "read after revoke") {
                try await client.getPriceRule(id: rule.id)
            }
            await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "write after revoke") {
                try await client.createPriceRule(.init(title: "t", valueType: .percentage, value: 5))
            }
            // A new connection with it fares no better.
            let fresh = try await daemon.client(.init(token: token.token))
            await expectRPCError(.unauthenticated, reason: "UNAUTHENTICATED", "new connection after revoke") {
                try await fresh.listPriceRules()
            }
            // Revoking is idempotent: the second answer says it was revoked already.
            let again = try await owner.revokeToken(id: token.tokenId)
            #expect(again.tokenId == token.tokenId)
            #expect(!again.revoked, "revoked is false when the token was already revoked")
            await expectRPCError(.notFound, "unknown token id") {
                try await owner.revokeToken(id: UUID().uuidString.lowercased())
            }
            // The rule is still there for other tokens of the project.
            let other = try await daemon.client(
                .init(
                    token: try await owner.createToken(
                        projectID: project.id, scopes: ["read_price_rules"]
                    ).token))
            #expect(try await other.getPriceRule(id: rule.id).priceRule?.id == rule.id)
            for c in [owner, client, fresh, other] { await c.close() }
        }
    }

    @Test func adminRequestsAreValidated() async throws {
        try await withTestDaemon { daemon in
            let owner = try await daemon.client()
            let project = try #require(try await owner.createProject(name: "acme").project)
            #expect(project.name == "acme" && !project.id.isEmpty && project.createdAt != nil)
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "name", "empty project name") {
                try await owner.createProject(name: "")
            }
            await expectRPCError(.alreadyExists, "duplicate project name") {
                try await owner.createProject(name: "acme")
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "scopes", "unknown scope") {
                try await owner.createToken(projectID: project.id, scopes: ["read_price_rules", "fly"])
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "scopes", "no scopes") {
                try await owner.createToken(projectID: project.id, scopes: [])
            }
            await expectRPCError(.notFound, "token for an unknown project") {
                try await owner.createToken(projectID: UUID().uuidString.lowercased(), scopes: ["read_price_rules"])
            }
            // Every scope the contract names is accepted.
            let all = [
                "read_price_rules", "write_price_rules", "read_campaigns", "write_campaigns", "commission",
                "read_vouchers", "write_vouchers", "admin",
            ]
            let token = try await owner.createToken(projectID: project.id, scopes: all, name: "everything")
            #expect(Set(token.scopes) == Set(all))
            // An admin token of another project cannot make projects.
            let projectAdmin = try await daemon.client(.init(token: token.token))
            await expectRPCError(.permissionDenied, "project admin creating a project") {
                try await projectAdmin.createProject(name: "mine")
            }
            await owner.close()
            await projectAdmin.close()
        }
    }

    @Test func statsCountsPriceRuleCalls() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            _ = try await client.getPriceRule(id: rule.id)
            _ = try await client.getPriceRule(id: rule.id)
            _ = try? await client.getPriceRule(id: UUID().uuidString)
            let stats = try await client.stats()
            let get = stats.methods.first {
                $0.service == PriceRulesRPC.serviceName && $0.method == PriceRulesRPC.getPriceRule.name
            }
            #expect(get != nil, "GetPriceRule has an entry: \(stats.methods.map { "\($0.service)/\($0.method)" })")
            #expect(get?.count == 3)
            #expect(get?.errors == 1)
            if let get { #expect(get.p50Ms <= get.p90Ms && get.p90Ms <= get.p99Ms && get.p99Ms <= get.maxMs && get.maxMs > 0) }
            #expect(
                stats.methods.contains {
                    $0.service == PriceRulesRPC.serviceName && $0.method == PriceRulesRPC.createPriceRule.name && $0.count == 1
                })
            let keys = stats.methods.map { [$0.service, $0.method] }
            #expect(keys == keys.sorted { $0.lexicographicallyPrecedes($1) }, "sorted by service, then method")
            #expect((0...1).contains(stats.cacheHitRatio))
            #expect(stats.connections >= 1)
            #expect(stats.collectedAt != nil)
            await client.close()
        }
    }
}
