import DiscountCore
import Foundation
import ProtoCodec

/// BatchCreateDiscountCodes: an explicit list or a generator, stored in large
/// chunks with progress after each, rejects reported with their reasons.
struct BatchCodeCreation {
    static let maxCodes = CodeGenerator.maxCount
    /// Rejects listed one by one; beyond this only `rejected_count` grows.
    static let maxListedRejects = 1000
    /// Rounds of redrawing codes that collided with existing ones.
    static let maxGeneratorRounds = 8

    let book: PriceRuleBook
    let projectID: String
    let request: BatchCreateDiscountCodesRequest

    private struct Tally {
        var created = 0
        var rejectedCount = 0
        var rejected: [RejectedCode] = []

        mutating func reject(_ code: String, _ reason: String) {
            rejectedCount += 1
            if rejected.count < BatchCodeCreation.maxListedRejects {
                rejected.append(RejectedCode(code: code, reason: reason))
            }
        }

        var result: BatchCreateDiscountCodesResult {
            BatchCreateDiscountCodesResult(created: Int64(created), rejectedCount: Int64(rejectedCount), rejected: rejected)
        }
    }

    func run(progress: (Int, Int) async throws -> Void) async throws -> BatchCreateDiscountCodesResult {
        let ruleID = try Validate.nonEmpty(request.priceRuleId, field: "price_rule_id")
        let usageLimit = try Validate.usageLimit(request.usageLimit, field: "usage_limit")
        switch (request.codes.isEmpty, request.generator) {
        case (false, nil):
            guard request.codes.count <= Self.maxCodes else {
                throw ServiceError.invalidArgument(field: "codes", "codes may hold at most \(Self.maxCodes) entries")
            }
            _ = try await book.rule(projectID: projectID, id: ruleID)
            return try await storeList(ruleID: ruleID, usageLimit: usageLimit, progress: progress)
        case (true, let generator?):
            let (codeGenerator, count) = try Self.check(generator)
            _ = try await book.rule(projectID: projectID, id: ruleID)
            return try await storeGenerated(
                codeGenerator, count: count, ruleID: ruleID, usageLimit: usageLimit, progress: progress)
        default:
            throw ServiceError.invalidArgument(field: "codes", "give exactly one of codes or generator")
        }
    }

    static func check(_ generator: ProtoCodec.CodeGenerator) throws -> (DiscountCore.CodeGenerator, Int) {
        let count = Int(generator.count)
        guard (1...maxCodes).contains(count) else {
            throw ServiceError.invalidArgument(field: "generator.count", "generator.count must be between 1 and \(maxCodes)")
        }
        let codeGenerator: DiscountCore.CodeGenerator
        do {
            codeGenerator = try DiscountCore.CodeGenerator(
                prefix: generator.prefix, length: generator.length == 0 ? 8 : Int(generator.length),
                charset: generator.charset)
        } catch {
            let field = switch error {
            case .badLength, .codeTooLong: "generator.length"
            default: "generator.charset"
            }
            throw ServiceError.invalidArgument(field: field, "\(field): \(error)")
        }
        guard codeGenerator.canFill(count) else {
            throw ServiceError.invalidArgument(
                field: "generator.count",
                "\(GeneratorProblem.cannotFill(requested: count, capacity: codeGenerator.capacity)); use a longer length or a larger charset")
        }
        return (codeGenerator, count)
    }

    private func storeList(
        ruleID: String, usageLimit: Int64?, progress: (Int, Int) async throws -> Void
    ) async throws -> BatchCreateDiscountCodesResult {
        var tally = Tally()
        var seen = Set<String>()
        var pending: [DiscountCodeRecord] = []
        let total = request.codes.count
        for (index, raw) in request.codes.enumerated() {
            switch CodeText.validated(raw) {
            case .failure(let problem):
                _ = problem  // the request's own validation names the rule; here the reason code is enough
                tally.reject(raw, "INVALID_CODE")
            case .success(let text):
                if seen.insert(CodeText.canonical(text)).inserted {
                    pending.append(record(text, ruleID: ruleID, usageLimit: usageLimit))
                } else {
                    tally.reject(text, "DUPLICATE_IN_REQUEST")
                }
            }
            if pending.count == PriceRulesService.batchChunk || index == total - 1 {
                try await insert(&pending, into: &tally)
                try await progress(index + 1, total)
            }
        }
        return tally.result
    }

    /// Draws every code up front and stores them in canonical order: each
    /// chunk then fills one stretch of the unique code index instead of
    /// touching all of it, so a commit writes a few pages of that index, not
    /// every one (which, for a million random codes, was most of the work).
    private func storeGenerated(
        _ generator: DiscountCore.CodeGenerator, count: Int, ruleID: String, usageLimit: Int64?,
        progress: (Int, Int) async throws -> Void
    ) async throws -> BatchCreateDiscountCodesResult {
        var tally = Tally()
        var created: [DiscountCodeRecord] = []
        var rounds = 0
        // Only a small space can run out; only then are created codes kept to undo.
        let mayExhaust = generator.capacity < count * 64
        let chunk = PriceRulesService.batchChunk
        let records: @Sendable (ArraySlice<String>) -> [DiscountCodeRecord] = { [self] texts in
            texts.map { record($0, ruleID: ruleID, usageLimit: usageLimit) }
        }
        var texts = Self.canonicallyOrdered(generator.generate(count))
        while !texts.isEmpty {
            var start = texts.startIndex
            var batch = records(texts[start..<min(start + chunk, texts.endIndex)])
            var redraw = 0
            while !batch.isEmpty {
                start += batch.count
                // Make the next chunk's records on another core while this one is stored.
                let upcoming = texts[start..<min(start + chunk, texts.endIndex)]
                async let next = records(upcoming)
                let taken = Set(try await book.insertCodes(batch))
                let stored = taken.isEmpty ? batch : batch.filter { !taken.contains($0.canonicalCode) }
                tally.created += stored.count
                redraw += taken.count
                if mayExhaust { created += stored }
                try await progress(tally.created, count)
                batch = await next
            }
            // Draws that collided with existing codes are redrawn; when redraws
            // keep colliding, existing codes have used up the space.
            guard redraw > 0 else { break }
            rounds += 1
            if rounds >= Self.maxGeneratorRounds { break }
            texts = Self.canonicallyOrdered(generator.generate(redraw))
        }
        if tally.created < count {
            for code in created {
                try await book.deleteCode(projectID: projectID, ruleID: ruleID, id: code.id)
            }
            throw ServiceError.invalidArgument(
                field: "generator.count",
                "cannot generate \(count) distinct codes: existing codes leave too few of the \(generator.capacity) possible; nothing was stored. Use a longer length or a larger charset")
        }
        return tally.result
    }

    /// `texts` sorted as the store's unique index orders canonical codes
    /// (bytewise; String order agrees for ASCII codes, the usual kind). Only
    /// speed depends on the order, not correctness.
    static func canonicallyOrdered(_ texts: [String]) -> [String] {
        texts.map { (key: CodeText.canonical($0), text: $0) }
            .sorted { $0.key < $1.key }
            .map(\.text)
    }

    private func insert(_ pending: inout [DiscountCodeRecord], into tally: inout Tally) async throws {
        guard !pending.isEmpty else { return }
        let taken = Set(try await book.insertCodes(pending))
        for code in pending where taken.contains(code.canonicalCode) {
            tally.reject(code.code, "CODE_TAKEN")
        }
        tally.created += pending.count - taken.count
        pending.removeAll(keepingCapacity: true)
    }

    private func record(_ text: String, ruleID: String, usageLimit: Int64?) -> DiscountCodeRecord {
        let now = Instant.now()
        return DiscountCodeRecord(
            id: TimeOrderedID.make(), projectID: projectID, priceRuleID: ruleID, code: text,
            useWithOther: request.useWithOther, usageLimit: usageLimit, createdAt: now, updatedAt: now)
    }
}
