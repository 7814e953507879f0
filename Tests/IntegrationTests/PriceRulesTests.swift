import DiscountClient
import Foundation
import Testing

/// discountd.v1.PriceRules against the real daemon, through the client library.
@Suite struct PriceRulesTests {
    // MARK: Price rules

    @Test func priceRuleLifecycle() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let startsAt = ProtoTimestamp(seconds: 1_767_225_600)  // 2026-01-01T00:00:00Z
            let endsAt = ProtoTimestamp(seconds: 1_798_761_600)  // 2027-01-01T00:00:00Z
            let created = try #require(
                try await client.createPriceRule(
                    CreatePriceRuleRequest(
                        title: "Summer sale", valueType: .percentage, value: 12.5, startsAt: startsAt, endsAt: endsAt,
                        usageLimit: 500, oncePerCustomer: true)
                ).priceRule)
            #expect(UUID(uuidString: created.id) != nil, "id is a UUID: \(created.id)")
            #expect(created.title == "Summer sale")
            #expect(created.valueType == .percentage)
            #expect(created.value == 12.5)
            #expect(created.startsAt == startsAt)
            #expect(created.endsAt == endsAt)
            #expect(created.usageLimit == 500)
            #expect(created.oncePerCustomer)
            #expect(created.createdAt != nil && created.updatedAt != nil)

            #expect(try await client.getPriceRule(id: created.id).priceRule == created)

            let fixed = try #require(
                try await client.createPriceRule(
                    CreatePriceRuleRequest(
                        title: "5 off", valueType: .fixedAmount, value: 500, currency: "EUR")
                ).priceRule)
            #expect(fixed.valueType == .fixedAmount && fixed.currency == "EUR" && fixed.value == 500)
            #expect(fixed.startsAt != nil, "starts_at defaults to now")
            #expect(fixed.endsAt == nil && fixed.usageLimit == nil && !fixed.oncePerCustomer)

            let listed = try await client.listPriceRules()
            #expect(Set(listed.priceRules.map(\.id)) == [created.id, fixed.id])  // order: listPriceRulesPagesCoverEveryRuleOnce
            #expect(listed.nextPageToken.isEmpty)

            // Only the fields present change.
            let renamed = try #require(
                try await client.updatePriceRule(
                    UpdatePriceRuleRequest(priceRuleId: created.id, title: "Summer sale II")
                ).priceRule)
            #expect(renamed.title == "Summer sale II")
            #expect(renamed.value == 12.5 && renamed.endsAt == endsAt && renamed.usageLimit == 500 && renamed.oncePerCustomer)
            #expect(renamed.createdAt == created.createdAt)
            #expect((renamed.updatedAt?.date ?? .distantPast) >= (created.updatedAt?.date ?? .distantFuture))

            let cleared = try #require(
                try await client.updatePriceRule(
                    UpdatePriceRuleRequest(
                        priceRuleId: created.id, value: 20, clearEndsAt: true, clearUsageLimit: true, oncePerCustomer: false)
                ).priceRule)
            #expect(cleared.value == 20 && cleared.endsAt == nil && cleared.usageLimit == nil && !cleared.oncePerCustomer)
            #expect(cleared.title == "Summer sale II")
            #expect(try await client.getPriceRule(id: created.id).priceRule == cleared)

            // Deleting a rule takes its codes with it.
            let code1 = try await client.makeCode(created)
            _ = try await client.makeCode(created)
            let deleted = try await client.deletePriceRule(id: created.id)
            #expect(deleted.priceRuleId == created.id)
            #expect(deleted.deletedDiscountCodes == 2)
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", messageContains: [created.id]) {
                try await client.getPriceRule(id: created.id)
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND") {
                try await client.lookupDiscountCode(code: code1.code)
            }
            #expect(try await client.listPriceRules().priceRules.map(\.id) == [fixed.id])
            await client.close()
        }
    }

    @Test func priceRuleFieldsAreValidated() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            func create(_ request: CreatePriceRuleRequest) async throws -> CreatePriceRuleResponse {
                try await client.createPriceRule(request)
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "title", "empty title") {
                try await create(.init(title: "", valueType: .percentage, value: 10))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "title", "blank title") {
                try await create(.init(title: "   ", valueType: .percentage, value: 10))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "value", "percentage over 100") {
                try await create(.init(title: "t", valueType: .percentage, value: 150))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "value", "zero value") {
                try await create(.init(title: "t", valueType: .percentage, value: 0))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "value", "negative amount") {
                try await create(.init(title: "t", valueType: .fixedAmount, value: -5, currency: "EUR"))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "value_type", "no value type") {
                try await create(.init(title: "t", valueType: .unspecified, value: 10))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "currency", "amount without currency") {
                try await create(.init(title: "t", valueType: .fixedAmount, value: 500))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "ends_at", "ends before it starts") {
                try await create(
                    .init(
                        title: "t", valueType: .percentage, value: 10, startsAt: timestamp(fromNow: 3600),
                        endsAt: timestamp(fromNow: 60)))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "usage_limit", "negative limit") {
                try await create(.init(title: "t", valueType: .percentage, value: 10, usageLimit: -1))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "page_size", "page size over 1000") {
                try await client.listPriceRules(.init(pageSize: 1001))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "page_size", "negative page size") {
                try await client.listPriceRules(.init(pageSize: -1))
            }
            let rule = try await client.makeRule()
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "title", "update to a blank title") {
                try await client.updatePriceRule(.init(priceRuleId: rule.id, title: ""))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "value", "update to 101%") {
                try await client.updatePriceRule(.init(priceRuleId: rule.id, value: 101))
            }
            // Refused updates changed nothing.
            #expect(try await client.getPriceRule(id: rule.id).priceRule == rule)
            #expect(try await client.listPriceRules().priceRules.count == 1, "no refused create was stored")
            await client.close()
        }
    }

    @Test func listPriceRulesPagesCoverEveryRuleOnce() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            var ids: [String] = []
            for index in 0..<7 { ids.append(try await client.makeRule(title: "rule \(index)").id) }
            var seen: [String] = []
            var token = ""
            var pages = 0
            repeat {
                let page = try await client.listPriceRules(.init(pageSize: 3, pageToken: token))
                #expect(page.priceRules.count <= 3)
                seen += page.priceRules.map(\.id)
                token = page.nextPageToken
                pages += 1
            } while !token.isEmpty && pages < 10
            #expect(seen == ids, "creation order, each once")
            #expect(pages == 3)
            await client.close()
        }
    }

    @Test func unknownIdsAreNotFoundAndNamed() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let missingRule = UUID().uuidString.lowercased()
            let missingCode = UUID().uuidString.lowercased()
            await expectRPCError(
                .notFound, reason: "PRICE_RULE_NOT_FOUND", messageContains: ["Price rule \(missingRule) not found."]
            ) {
                try await client.getPriceRule(id: missingRule)
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", messageContains: [missingRule]) {
                try await client.updatePriceRule(.init(priceRuleId: missingRule, title: "x"))
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", messageContains: [missingRule]) {
                try await client.deletePriceRule(id: missingRule)
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", messageContains: [missingRule]) {
                try await client.createDiscountCode(priceRuleID: missingRule, code: uniqueCode())
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", messageContains: [missingRule]) {
                try await client.listDiscountCodes(.init(priceRuleId: missingRule))
            }
            await expectRPCError(.notFound, reason: "PRICE_RULE_NOT_FOUND", messageContains: [missingRule]) {
                try await client.runBatch(.init(priceRuleId: missingRule, codes: [uniqueCode()]))
            }

            let rule = try await client.makeRule()
            let other = try await client.makeRule()
            let code = try await client.makeCode(rule)
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", messageContains: [missingCode]) {
                try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: missingCode)
            }
            await expectRPCError(
                .notFound, reason: "DISCOUNT_CODE_NOT_FOUND", messageContains: [code.id], "code under another rule"
            ) {
                try await client.getDiscountCode(priceRuleID: other.id, discountCodeID: code.id)
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", messageContains: [missingCode]) {
                try await client.updateDiscountCode(.init(priceRuleId: rule.id, discountCodeId: missingCode, useWithOther: true))
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", messageContains: [missingCode]) {
                try await client.deleteDiscountCode(.init(priceRuleId: rule.id, discountCodeId: missingCode))
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", messageContains: ["NO-SUCH-CODE"]) {
                try await client.lookupDiscountCode(code: "NO-SUCH-CODE")
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", messageContains: ["NO-SUCH-CODE"]) {
                try await client.redeemDiscountCode(code: "NO-SUCH-CODE", orderID: "order-1")
            }
            // The code under its own rule is still there.
            #expect(try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id).discountCode == code)
            await client.close()
        }
    }

    // MARK: Discount codes

    @Test func discountCodeLifecycle() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let response = try await client.createDiscountCode(
                priceRuleID: rule.id, code: "Summer15", useWithOther: true, usageLimit: 3)
            #expect(response.discountCodes.count == 1, "the seed's data.discount_codes: one element")
            let code = try #require(response.discountCodes.first)
            #expect(UUID(uuidString: code.id) != nil, "id is a UUID: \(code.id)")
            #expect(code.priceRuleId == rule.id)
            #expect(code.code == "Summer15", "stored as given")
            #expect(code.useWithOther)
            #expect(code.usageCount == 0)
            #expect(code.usageLimit == 3)
            #expect(code.createdAt != nil && code.updatedAt != nil)

            #expect(try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id).discountCode == code)

            // Lookup is case-insensitive and brings the rule.
            for text in ["summer15", "SUMMER15", "sUmMeR15"] {
                let found = try await client.lookupDiscountCode(code: text)
                #expect(found.discountCode == code, "lookup \(text)")
                #expect(found.priceRule?.id == rule.id)
            }

            let listed = try await client.listDiscountCodes(.init(priceRuleId: rule.id))
            #expect(listed.discountCodes == [code])

            // Update: only what is present changes.
            try await Task.sleep(for: .milliseconds(5))
            let renamed = try #require(
                try await client.updateDiscountCode(
                    .init(priceRuleId: rule.id, discountCodeId: code.id, code: "Autumn20")
                ).discountCode)
            #expect(renamed.code == "Autumn20" && renamed.useWithOther && renamed.usageLimit == 3)
            #expect(renamed.createdAt == code.createdAt)
            #expect((renamed.updatedAt?.date ?? .distantPast) > (code.updatedAt?.date ?? .distantFuture))
            #expect(try await client.lookupDiscountCode(code: "autumn20").discountCode?.id == code.id)
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", "old text after rename") {
                try await client.lookupDiscountCode(code: "Summer15")
            }
            let changed = try #require(
                try await client.updateDiscountCode(
                    .init(
                        priceRuleId: rule.id, discountCodeId: code.id, useWithOther: false, clearUsageLimit: true)
                ).discountCode)
            #expect(!changed.useWithOther && changed.usageLimit == nil && changed.code == "Autumn20")
            let limited = try #require(
                try await client.updateDiscountCode(
                    .init(priceRuleId: rule.id, discountCodeId: code.id, usageLimit: 9)
                ).discountCode)
            #expect(limited.usageLimit == 9)

            // The old text is free again.
            _ = try await client.makeCode(rule, "SUMMER15")

            let deleted = try await client.deleteDiscountCode(.init(priceRuleId: rule.id, discountCodeId: code.id))
            #expect(deleted.discountCodeId == code.id)
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", messageContains: [code.id]) {
                try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id)
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", "deleting twice") {
                try await client.deleteDiscountCode(.init(priceRuleId: rule.id, discountCodeId: code.id))
            }
            await expectRPCError(.notFound, reason: "DISCOUNT_CODE_NOT_FOUND", "lookup after delete") {
                try await client.lookupDiscountCode(code: "Autumn20")
            }
            await client.close()
        }
    }

    @Test func codeTextIsValidated() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            for (text, why) in [
                ("", "empty"), ("   ", "blank"), (String(repeating: "A", count: 256), "256 characters"),
                ("BAD\u{7}CODE", "control character"),
            ] {
                await expectRPCError(
                    .invalidArgument, reason: "INVALID_ARGUMENT", field: "discount_code.code", Comment(rawValue: why)
                ) {
                    try await client.createDiscountCode(priceRuleID: rule.id, code: text)
                }
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "discount_code", "no discount_code") {
                try await client.createDiscountCode(CreateDiscountCodeRequest(priceRuleId: rule.id))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "page_size") {
                try await client.listDiscountCodes(.init(priceRuleId: rule.id, pageSize: 1001))
            }
            // 255 characters is fine; text is trimmed.
            let long = String(repeating: "B", count: 255)
            #expect(try await client.makeCode(rule, long).code == long)
            #expect(try await client.makeCode(rule, "  PADDED  ").code == "PADDED")
            #expect(try await client.lookupDiscountCode(code: "padded").discountCode?.code == "PADDED")
            await client.close()
        }
    }

    @Test func codeTextIsUniquePerProjectIgnoringCase() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let other = try await client.makeRule()
            let code = try await client.makeCode(rule, "WELCOME")
            for text in ["WELCOME", "welcome", "Welcome"] {
                await expectRPCError(.alreadyExists, reason: "CODE_TAKEN", messageContains: ["welcome"], Comment(rawValue: text))
                {
                    try await client.createDiscountCode(priceRuleID: other.id, code: text)
                }
            }
            let second = try await client.makeCode(other, "GOODBYE")
            await expectRPCError(.alreadyExists, reason: "CODE_TAKEN", messageContains: ["welcome"], "rename onto a taken text") {
                try await client.updateDiscountCode(.init(priceRuleId: other.id, discountCodeId: second.id, code: "welcome"))
            }
            // Changing the case of its own text is allowed.
            let recased = try await client.updateDiscountCode(
                .init(priceRuleId: rule.id, discountCodeId: code.id, code: "Welcome"))
            #expect(recased.discountCode?.code == "Welcome")
            #expect(try await client.allCodes(of: other.id).map(\.code) == ["GOODBYE"])
            await client.close()
        }
    }

    @Test func concurrentCreatesOfOneCodeInDifferentCaseAdmitOne() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            for round in 0..<20 {
                let text = "RACE-\(round)-\(UUID().uuidString.prefix(6))"
                let variants = [text.uppercased(), text.lowercased()]
                let results = await concurrently(2) { index in
                    try await client.createDiscountCode(priceRuleID: rule.id, code: variants[index])
                }
                let successes = results.compactMap(\.value)
                let failures = results.compactMap(\.rpcError)
                #expect(successes.count == 1, "round \(round): \(results)")
                #expect(failures.count == 1)
                if let failure = failures.first {
                    #expect(failure.code == .alreadyExists && failure.detail?.reason == "CODE_TAKEN", "\(failure)")
                    #expect(failure.message.lowercased().contains(text.lowercased()), "names the code: \(failure.message)")
                }
            }
            #expect(try await client.allCodes(of: rule.id).count == 20)
            await client.close()
        }
    }

    @Test func aNewCodeIsCachedByItsFirstReadNotByItsCreate() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let code = try await client.makeCode(rule, usageLimit: 3)
            let afterCreate = try await client.stats()
            let read = try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id).discountCode
            #expect(read == code, "found in the store")
            let afterFirstRead = try await client.stats()
            #expect(afterFirstRead.cacheMisses > afterCreate.cacheMisses && afterFirstRead.cacheHits == afterCreate.cacheHits)
            #expect(try await client.lookupDiscountCode(code: code.code.lowercased()).discountCode == code)
            let afterLookup = try await client.stats()
            #expect(afterLookup.cacheHits > afterFirstRead.cacheHits && afterLookup.cacheMisses == afterFirstRead.cacheMisses)
            await client.close()
        }
    }

    @Test func keysetPaginationCoversEveryCodeOnce() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let neighbour = try await client.makeRule()
            let texts = (0..<250).map { "PAGE-\($0)-\(UUID().uuidString.prefix(4))" }
            let batch = try await client.runBatch(.init(priceRuleId: rule.id, codes: Array(texts[..<200])))
            #expect(batch.result?.created == 200)
            for text in texts[200...] { _ = try await client.makeCode(rule, text) }
            for _ in 0..<30 { _ = try await client.makeCode(neighbour) }

            for pageSize: Int32 in [7, 100, 1000] {
                var seen: [DiscountCode] = []
                var token = ""
                var pages = 0
                repeat {
                    let page = try await client.listDiscountCodes(
                        .init(priceRuleId: rule.id, pageSize: pageSize, pageToken: token))
                    #expect(page.discountCodes.count <= Int(pageSize))
                    seen += page.discountCodes
                    token = page.nextPageToken
                    pages += 1
                    // A write between pages does not disturb the walk.
                    if pages == 2 {
                        _ = try await client.makeCode(neighbour)
                    }
                } while !token.isEmpty && pages < 1000
                #expect(seen.count == 250, "page size \(pageSize)")
                #expect(Set(seen.map(\.id)).count == seen.count, "no code twice (page size \(pageSize))")
                #expect(Set(seen.map(\.code)) == Set(texts), "page size \(pageSize)")
                #expect(seen.allSatisfy { $0.priceRuleId == rule.id })
                #expect(Array(seen.map(\.code).suffix(50)) == Array(texts[200...]), "creation order (page size \(pageSize))")
            }
            // page_size 0 means 100.
            let first = try await client.listDiscountCodes(.init(priceRuleId: rule.id))
            #expect(first.discountCodes.count == 100, "page_size 0 means 100")
            #expect(!first.nextPageToken.isEmpty)
            await client.close()
        }
    }

    // MARK: Batches

    @Test func batchWithExplicitCodesReportsRejections() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let other = try await client.makeRule()
            _ = try await client.makeCode(other, "ALREADY-HERE")
            let codes = ["NEW-ONE", "NEW-TWO", "new-one", "already-here", String(repeating: "X", count: 256), "NEW-THREE"]
            let batch = try await client.runBatch(
                .init(priceRuleId: rule.id, codes: codes, useWithOther: true, usageLimit: 5))
            let result = try #require(batch.result, "the stream ends with a result")
            #expect(result.created == 3)
            #expect(result.rejectedCount == 3)
            let reasons = Dictionary(result.rejected.map { ($0.code.lowercased(), $0.reason) }, uniquingKeysWith: { a, _ in a })
            #expect(reasons["new-one"] == "DUPLICATE_IN_REQUEST", "\(result.rejected)")
            #expect(reasons["already-here"] == "CODE_TAKEN", "\(result.rejected)")
            #expect(reasons[String(repeating: "x", count: 256)] == "INVALID_CODE", "\(result.rejected)")

            let stored = try await client.allCodes(of: rule.id)
            #expect(Set(stored.map(\.code)) == ["NEW-ONE", "NEW-TWO", "NEW-THREE"])
            #expect(stored.allSatisfy { $0.useWithOther && $0.usageLimit == 5 && $0.usageCount == 0 })
            #expect(try await client.lookupDiscountCode(code: "new-two").discountCode?.priceRuleId == rule.id)
            // The taken code still belongs to the other rule.
            #expect(try await client.lookupDiscountCode(code: "ALREADY-HERE").discountCode?.priceRuleId == other.id)
            await client.close()
        }
    }

    @Test func batchWithAGeneratorStreamsProgressAndStoresEveryCode() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let count: Int32 = 20_000
            let batch = try await client.runBatch(
                .init(priceRuleId: rule.id, generator: CodeGenerator(count: count, prefix: "GEN-", length: 10)))
            let result = try #require(batch.result)
            #expect(result.created == Int64(count))
            #expect(result.rejectedCount == 0)
            #expect(!batch.progress.isEmpty, "progress messages arrive before the result")
            #expect(batch.messages == batch.progress.count + 1, "progress messages, then exactly one result")
            #expect(batch.progress.allSatisfy { $0.total == Int64(count) && $0.processed <= $0.total })
            #expect(batch.progress.map(\.processed) == batch.progress.map(\.processed).sorted(), "progress only grows")

            let stored = try await client.allCodes(of: rule.id)
            #expect(stored.count == Int(count))
            #expect(Set(stored.map { $0.code.uppercased() }).count == Int(count), "all distinct")
            let lookAlikes = Set("0O1IL")
            let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
            let malformed = stored.filter { code in
                guard code.code.hasPrefix("GEN-"), code.code.count == 14 else { return true }
                let random = code.code.dropFirst(4)
                return random.contains { lookAlikes.contains($0) || !allowed.contains($0) }
            }
            #expect(
                malformed.isEmpty, "prefix + 10 upper-case alphanumerics without look-alikes: \(malformed.prefix(5).map(\.code))")

            // A custom alphabet is honoured.
            let small = try #require(
                try await client.runBatch(
                    .init(
                        priceRuleId: rule.id, generator: CodeGenerator(count: 50, prefix: "ab-", length: 6, charset: "xyz"))
                ).result)
            #expect(small.created == 50)
            let custom = try await client.allCodes(of: rule.id).filter { $0.code.hasPrefix("ab-") }
            #expect(custom.count == 50)
            #expect(custom.allSatisfy { $0.code.dropFirst(3).allSatisfy { "xyz".contains($0) } && $0.code.count == 9 })
            await client.close()
        }
    }

    @Test func aGeneratorThatCannotFillItsCountSaysSo() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client(.init(timeout: .seconds(10)))
            let rule = try await client.makeRule()
            // length 2 over "AB" has 4 codes: 5 cannot be made.
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "generator.count", "5 of 4 possible") {
                try await client.runBatch(
                    .init(priceRuleId: rule.id, generator: CodeGenerator(count: 5, length: 2, charset: "AB")))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "generator.count", "3 of 2 possible") {
                try await client.runBatch(
                    .init(priceRuleId: rule.id, generator: CodeGenerator(count: 3, length: 1, charset: "AB")))
            }
            // The contract's example: 3 codes of length 2 over "AB".
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "generator.count", "3 of length 2 over AB")
            {
                try await client.runBatch(
                    .init(priceRuleId: rule.id, generator: CodeGenerator(count: 3, length: 2, charset: "AB")))
            }
            #expect(try await client.allCodes(of: rule.id).isEmpty, "a refused batch stores nothing")

            // Codes already taken count: with A, B and C taken, "ABCD" of length 1 has one code left.
            let taken = try #require(try await client.runBatch(.init(priceRuleId: rule.id, codes: ["A", "B", "C"])).result)
            #expect(taken.created == 3)
            let started = ContinuousClock.now
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "generator.count", "2 more with 1 left") {
                try await client.runBatch(
                    .init(priceRuleId: rule.id, generator: CodeGenerator(count: 2, length: 1, charset: "ABCD")))
            }
            #expect(ContinuousClock.now - started < .seconds(5), "says so instead of looping")
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "generator.count", "count 0") {
                try await client.runBatch(.init(priceRuleId: rule.id, generator: CodeGenerator(count: 0)))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "generator.count", "count over 1,000,000") {
                try await client.runBatch(.init(priceRuleId: rule.id, generator: CodeGenerator(count: 1_000_001)))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", "both codes and a generator") {
                try await client.runBatch(.init(priceRuleId: rule.id, codes: ["X1"], generator: CodeGenerator(count: 1)))
            }
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", "neither codes nor a generator") {
                try await client.runBatch(.init(priceRuleId: rule.id))
            }
            #expect(Set(try await client.allCodes(of: rule.id).map(\.code)) == ["A", "B", "C"])
            await client.close()
        }
    }

    // MARK: Redemption

    @Test func redeemCountsOncePerOrder() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let code = try await client.makeCode(rule, "REDEEM-ME")
            let first = try await client.redeemDiscountCode(code: "redeem-me", orderID: "order-1")
            #expect(first.redeemed)
            #expect(first.usageCount == 1)
            #expect(first.discountCode?.id == code.id)
            let replay = try await client.redeemDiscountCode(code: "REDEEM-ME", orderID: "order-1")
            #expect(!replay.redeemed, "the same order again is a replay")
            #expect(replay.usageCount == 1)
            let second = try await client.redeemDiscountCode(code: "Redeem-Me", orderID: "order-2")
            #expect(second.redeemed && second.usageCount == 2)
            #expect(try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id).discountCode?.usageCount == 2)
            #expect(try await client.lookupDiscountCode(code: "REDEEM-ME").discountCode?.usageCount == 2)
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "order_id", "no order id") {
                try await client.redeemDiscountCode(code: "REDEEM-ME", orderID: "")
            }
            await client.close()
        }
    }

    @Test func twoHundredConcurrentRedemptionsOfALimitOf50AdmitExactly50() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client(.init(timeout: .seconds(30)))
            let rule = try await client.makeRule()
            let code = try await client.makeCode(rule, "LIMIT-50", usageLimit: 50)
            let results = await concurrently(200) { index in
                try await client.redeemDiscountCode(code: "LIMIT-50", orderID: "order-\(index)")
            }
            let successes = results.compactMap(\.value)
            let failures = results.compactMap(\.rpcError)
            #expect(successes.count == 50)
            #expect(successes.allSatisfy { $0.redeemed })
            #expect(Set(successes.map(\.usageCount)) == Set(1...50), "each success saw its own count")
            #expect(failures.count == 150)
            let wrong = failures.filter { $0.code != .failedPrecondition || $0.detail?.reason != "USAGE_LIMIT_REACHED" }
            #expect(wrong.isEmpty, "every refusal is USAGE_LIMIT_REACHED: \(wrong.prefix(3))")
            #expect(results.count == successes.count + failures.count, "no other errors")
            let after = try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: code.id).discountCode
            #expect(after?.usageCount == 50)
            let validation = try await client.validateDiscountCode(code: "LIMIT-50")
            #expect(!validation.valid && validation.reason == "USAGE_LIMIT_REACHED")
            await client.close()
        }
    }

    @Test func aRuleLimitHoldsAcrossItsCodesUnderConcurrency() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client(.init(timeout: .seconds(30)))
            let rule = try await client.makeRule(usageLimit: 10)
            let a = try await client.makeCode(rule, "RULE-LIMIT-A")
            let b = try await client.makeCode(rule, "RULE-LIMIT-B")
            let results = await concurrently(40) { index in
                try await client.redeemDiscountCode(code: index % 2 == 0 ? a.code : b.code, orderID: "o-\(index)")
            }
            #expect(results.compactMap(\.value).count == 10)
            #expect(results.compactMap(\.rpcError).filter { $0.detail?.reason == "USAGE_LIMIT_REACHED" }.count == 30)
            let codes = try await client.allCodes(of: rule.id)
            #expect(codes.map(\.usageCount).reduce(0, +) == 10)
            await client.close()
        }
    }

    @Test func oncePerCustomer() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule(oncePerCustomer: true)
            let code = try await client.makeCode(rule, "ONCE")
            let sibling = try await client.makeCode(rule, "ONCE-TOO")
            #expect(try await client.redeemDiscountCode(code: "ONCE", orderID: "o1", customerID: "alice").redeemed)
            await expectRPCError(.failedPrecondition, reason: "ALREADY_USED_BY_CUSTOMER", "alice again") {
                try await client.redeemDiscountCode(code: "ONCE", orderID: "o2", customerID: "alice")
            }
            await expectRPCError(.failedPrecondition, reason: "ALREADY_USED_BY_CUSTOMER", "alice with another code of the rule") {
                try await client.redeemDiscountCode(code: sibling.code, orderID: "o3", customerID: "alice")
            }
            // The same order again is a replay, not a refusal.
            let replay = try await client.redeemDiscountCode(code: "ONCE", orderID: "o1", customerID: "alice")
            #expect(!replay.redeemed && replay.usageCount == 1)
            #expect(try await client.redeemDiscountCode(code: "ONCE", orderID: "o4", customerID: "bob").usageCount == 2)

            let forAlice = try await client.validateDiscountCode(code: "once", customerID: "alice")
            #expect(!forAlice.valid)
            #expect(forAlice.reason == "ALREADY_USED_BY_CUSTOMER")
            #expect(!forAlice.message.isEmpty)
            let forCarol = try await client.validateDiscountCode(code: "once", customerID: "carol")
            #expect(forCarol.valid && forCarol.reason.isEmpty)
            #expect(forCarol.discountCode?.id == code.id && forCarol.priceRule?.id == rule.id)

            // After alice's order is rolled back she may use the rule again.
            #expect(try await client.rollbackRedemption(orderID: "o1").released == 1)
            #expect(try await client.redeemDiscountCode(code: "ONCE-TOO", orderID: "o5", customerID: "alice").redeemed)
            await client.close()
        }
    }

    @Test func expiredAndNotYetActiveCodesAreRefused() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let past = try await client.makeRule(startsAt: timestamp(fromNow: -7200), endsAt: timestamp(fromNow: -3600))
            _ = try await client.makeCode(past, "EXPIRED")
            await expectRPCError(.failedPrecondition, reason: "CODE_EXPIRED", messageContains: ["EXPIRED"]) {
                try await client.redeemDiscountCode(code: "EXPIRED", orderID: "o1")
            }
            let expired = try await client.validateDiscountCode(code: "expired")
            #expect(!expired.valid && expired.reason == "CODE_EXPIRED" && !expired.message.isEmpty)

            let future = try await client.makeRule(startsAt: timestamp(fromNow: 3600))
            let early = try await client.makeCode(future, "EARLY")
            await expectRPCError(.failedPrecondition, reason: "CODE_NOT_ACTIVE", messageContains: ["EARLY"]) {
                try await client.redeemDiscountCode(code: "EARLY", orderID: "o2")
            }
            let notYet = try await client.validateDiscountCode(code: "early")
            #expect(!notYet.valid)
            #expect(notYet.reason == "CODE_NOT_ACTIVE", "validate names the same reason as redeem")
            #expect(
                try await client.getDiscountCode(priceRuleID: future.id, discountCodeID: early.id).discountCode?.usageCount == 0)

            // Moving the rule's dates makes it usable.
            _ = try await client.updatePriceRule(.init(priceRuleId: future.id, startsAt: timestamp(fromNow: -60)))
            #expect(try await client.redeemDiscountCode(code: "EARLY", orderID: "o3").redeemed)
            _ = try await client.updatePriceRule(.init(priceRuleId: past.id, clearEndsAt: true))
            #expect(try await client.validateDiscountCode(code: "EXPIRED").valid)
            await client.close()
        }
    }

    @Test func validateAnswersForEveryCase() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let code = try await client.makeCode(rule, "VALID-1", usageLimit: 1)
            let ok = try await client.validateDiscountCode(code: "valid-1")
            #expect(ok.valid && ok.reason.isEmpty)
            #expect(ok.discountCode == code && ok.priceRule?.id == rule.id)

            // An unknown code is an answer (proto: reason DISCOUNT_CODE_NOT_FOUND, discount_code absent).
            do {
                let unknown = try await client.validateDiscountCode(code: "NOPE-NOPE")
                #expect(!unknown.valid)
                #expect(unknown.reason == "DISCOUNT_CODE_NOT_FOUND")
                #expect(unknown.discountCode == nil)
            } catch {
                Issue.record(
                    "ValidateDiscountCode of an unknown code should answer valid=false, reason DISCOUNT_CODE_NOT_FOUND; it failed: \(error)"
                )
            }

            _ = try await client.redeemDiscountCode(code: "VALID-1", orderID: "o1")
            let used = try await client.validateDiscountCode(code: "VALID-1")
            #expect(!used.valid && used.reason == "USAGE_LIMIT_REACHED")
            await expectRPCError(.failedPrecondition, reason: "USAGE_LIMIT_REACHED") {
                try await client.redeemDiscountCode(code: "VALID-1", orderID: "o2")
            }
            // Validation does not count a use.
            #expect(try await client.lookupDiscountCode(code: "VALID-1").discountCode?.usageCount == 1)
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "code") {
                try await client.validateDiscountCode(code: "")
            }
            await client.close()
        }
    }

    @Test func rollbackReleasesUsesAndIsIdempotent() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            let single = try await client.makeCode(rule, "ROLL-ONE", usageLimit: 1)
            let other = try await client.makeCode(rule, "ROLL-TWO")
            _ = try await client.redeemDiscountCode(code: "ROLL-ONE", orderID: "order-A")
            _ = try await client.redeemDiscountCode(code: "ROLL-TWO", orderID: "order-A")
            _ = try await client.redeemDiscountCode(code: "ROLL-TWO", orderID: "order-B")
            await expectRPCError(.failedPrecondition, reason: "USAGE_LIMIT_REACHED") {
                try await client.redeemDiscountCode(code: "ROLL-ONE", orderID: "order-C")
            }

            let released = try await client.rollbackRedemption(orderID: "order-A")
            #expect(released.orderId == "order-A")
            #expect(released.released == 2, "both codes of the order")
            #expect(
                try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: single.id).discountCode?.usageCount == 0)
            #expect(
                try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: other.id).discountCode?.usageCount == 1)

            let again = try await client.rollbackRedemption(orderID: "order-A")
            #expect(again.released == 0, "idempotent")
            #expect(
                try await client.getDiscountCode(priceRuleID: rule.id, discountCodeID: other.id).discountCode?.usageCount == 1)
            #expect(try await client.rollbackRedemption(orderID: "never-seen").released == 0)

            // The released use is available again.
            let retry = try await client.redeemDiscountCode(code: "ROLL-ONE", orderID: "order-C")
            #expect(retry.redeemed && retry.usageCount == 1)
            await expectRPCError(.invalidArgument, reason: "INVALID_ARGUMENT", field: "order_id") {
                try await client.rollbackRedemption(orderID: "")
            }
            await client.close()
        }
    }

    // MARK: Idempotency keys

    @Test func idempotencyKeysReplayTheFirstAnswerAndRefuseReuse() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let request = CreatePriceRuleRequest(title: "Once", valueType: .percentage, value: 10)
            let first = try await client.createPriceRule(request, idempotencyKey: "key-rule")
            let replay = try await client.createPriceRule(request, idempotencyKey: "key-rule")
            #expect(replay == first, "the first answer again")
            #expect(try await client.listPriceRules().priceRules.count == 1, "created once")
            await expectRPCError(.failedPrecondition, reason: "IDEMPOTENCY_KEY_REUSED", "same key, other request") {
                try await client.createPriceRule(
                    CreatePriceRuleRequest(title: "Twice", valueType: .percentage, value: 10), idempotencyKey: "key-rule")
            }
            await expectRPCError(.failedPrecondition, reason: "IDEMPOTENCY_KEY_REUSED", "same key, other method") {
                try await client.createProject(name: "p-\(UUID().uuidString.prefix(6))", idempotencyKey: "key-rule")
            }
            #expect(try await client.listPriceRules().priceRules.count == 1)

            let rule = try #require(first.priceRule)
            let code = try await client.createDiscountCode(priceRuleID: rule.id, code: "IDEM", idempotencyKey: "key-code")
            let codeReplay = try await client.createDiscountCode(priceRuleID: rule.id, code: "IDEM", idempotencyKey: "key-code")
            #expect(codeReplay == code, "a replay, not CODE_TAKEN")
            await expectRPCError(.alreadyExists, reason: "CODE_TAKEN", "without the key it is a second create") {
                try await client.createDiscountCode(priceRuleID: rule.id, code: "IDEM")
            }

            let redeemed = try await client.redeemDiscountCode(code: "IDEM", orderID: "o1", idempotencyKey: "key-redeem")
            let redeemedAgain = try await client.redeemDiscountCode(code: "IDEM", orderID: "o1", idempotencyKey: "key-redeem")
            #expect(redeemedAgain == redeemed, "the first answer (redeemed true) again")
            await expectRPCError(.failedPrecondition, reason: "IDEMPOTENCY_KEY_REUSED") {
                try await client.redeemDiscountCode(code: "IDEM", orderID: "o2", idempotencyKey: "key-redeem")
            }
            #expect(try await client.lookupDiscountCode(code: "IDEM").discountCode?.usageCount == 1)

            // Concurrent calls with one key create one rule.
            let racing = CreatePriceRuleRequest(title: "Race", valueType: .percentage, value: 5)
            let results = await concurrently(8) { _ in try await client.createPriceRule(racing, idempotencyKey: "key-race") }
            let ids = Set(results.compactMap { $0.value?.priceRule?.id })
            #expect(ids.count == 1, "\(results)")
            let raced = try await client.listPriceRules().priceRules.filter { $0.title == "Race" }
            #expect(raced.count == 1, "one rule for one key: \(raced.map(\.id)); answers: \(ids)")
            await client.close()
        }
    }
}
