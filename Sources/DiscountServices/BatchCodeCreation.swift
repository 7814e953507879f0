import DiscountCore
import DiscountProto
import Foundation
import SystemRandom

/// BatchCreateDiscountCodes: an explicit list or a generator, stored in large
/// chunks with progress after each, rejects reported with their reasons.
/// Resumable under an idempotency key and stopped cleanly by shutdown (`BulkRun`).
struct BatchCodeCreation {
    static let maxCodes = CodeGenerator.maxCount
    /// Rejects listed one by one; beyond this only `rejected_count` grows.
    static let maxListedRejects = 1000
    /// Rounds of redrawing codes that collided with existing ones.
    static let maxGeneratorRounds = 8

    let book: PriceRuleBook
    let projectID: String
    let request: BatchCreateDiscountCodesRequest
    let run: BulkRun
    /// Codes stored per transaction and per progress message.
    let chunk: Int

    private struct Tally: Sendable {
        var created = 0
        var rejectedCount = 0
        var rejected: [RejectedCode] = []

        init() {}

        /// The tally a checkpoint kept (its encoding is the result message's).
        init(resuming checkpoint: BulkCheckpoint?) {
            guard let checkpoint, let kept = try? BatchCreateDiscountCodesResult(protobufBytes: checkpoint.tally) else { return }
            created = Int(clamping: kept.created)
            rejectedCount = Int(clamping: kept.rejectedCount)
            rejected = kept.rejected
        }

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

    func perform(progress: (Int, Int) async throws -> Void) async throws -> BatchCreateDiscountCodesResult {
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

    static func check(_ generator: DiscountProto.CodeGenerator) throws -> (DiscountCore.CodeGenerator, Int) {
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
            let field =
                switch error {
                case .badLength, .codeTooLong: "generator.length"
                default: "generator.charset"
                }
            throw ServiceError.invalidArgument(field: field, "\(field): \(error)")
        }
        guard codeGenerator.canFill(count) else {
            throw ServiceError.invalidArgument(
                field: "generator.count",
                "\(GeneratorProblem.cannotFill(requested: count, capacity: codeGenerator.capacity)); use a longer length or a larger charset"
            )
        }
        return (codeGenerator, count)
    }

    private func storeList(
        ruleID: String, usageLimit: Int64?, progress: (Int, Int) async throws -> Void
    ) async throws -> BatchCreateDiscountCodesResult {
        var tally = Tally(resuming: run.resumed)
        let total = request.codes.count
        let start = min(Int(clamping: run.resumed?.processed ?? 0), total)
        // Repeats are told from codes already stored by what came before.
        var seen = Set<String>()
        for raw in request.codes[..<start] {
            if case .success(let text) = CodeText.validated(raw) { seen.insert(CodeText.canonical(text)) }
        }
        var pending: [DiscountCodeRecord] = []
        var index = start
        var committed = start
        while index < total {
            let raw = request.codes[index]
            switch CodeText.validated(raw) {
            case .failure:
                tally.reject(raw, "INVALID_CODE")
            case .success(let text):
                if seen.insert(CodeText.canonical(text)).inserted {
                    pending.append(record(text, ruleID: ruleID, usageLimit: usageLimit))
                } else {
                    tally.reject(text, "DUPLICATE_IN_REQUEST")
                }
            }
            index += 1
            if pending.count == chunk || index == total {
                try run.checkShutdown(committed: committed, of: total, what: "listed codes")
                let before = tally
                let listed = pending
                let handled = index
                let checkpoint = run.checkpoints { (taken: [String]) in
                    (handled, Self.tallied(before, listed, taken: Set(taken)).result.encoded())
                }
                let taken = Set(try await book.insertCodes(listed, checkpoint: checkpoint))
                tally = Self.tallied(before, listed, taken: taken)
                committed = index
                pending.removeAll(keepingCapacity: true)
                try await progress(index, total)
            }
        }
        return tally.result
    }

    /// `tally` after a chunk whose codes in `taken` the project already had.
    private static func tallied(_ tally: Tally, _ chunk: [DiscountCodeRecord], taken: Set<String>) -> Tally {
        var tally = tally
        for code in chunk where taken.contains(code.canonicalCode) {
            tally.reject(code.code, "CODE_TAKEN")
        }
        tally.created += chunk.count - taken.count
        return tally
    }

    /// Draws every code up front and stores them in canonical order: each
    /// chunk then fills one stretch of the unique code index instead of
    /// touching all of it, so a commit writes a few pages of that index, not
    /// every one (which, for a million random codes, was most of the work).
    private func storeGenerated(
        _ generator: DiscountCore.CodeGenerator, count: Int, ruleID: String, usageLimit: Int64?,
        progress: (Int, Int) async throws -> Void
    ) async throws -> BatchCreateDiscountCodesResult {
        var tally = Tally(resuming: run.resumed)
        var created: [DiscountCodeRecord] = []
        var rounds = 0
        // Only a small space can run out; only then are created codes kept to undo.
        let mayExhaust = generator.capacity < count * 64
        let records: @Sendable (ArraySlice<String>) -> [DiscountCodeRecord] = { [self] texts in
            texts.map { record($0, ruleID: ruleID, usageLimit: usageLimit) }
        }
        var texts = Self.canonicallyOrdered(generator.generate(max(0, count - tally.created)))
        while !texts.isEmpty {
            var start = texts.startIndex
            var batch = records(texts[start..<min(start + chunk, texts.endIndex)])
            var redraw = 0
            while !batch.isEmpty {
                start += batch.count
                // Make the next chunk's records on another core while this one is stored.
                let upcoming = texts[start..<min(start + chunk, texts.endIndex)]
                async let next = records(upcoming)
                try run.checkShutdown(committed: tally.created, of: count, what: "generated codes")
                let createdBefore = tally.created
                let chunkSize = batch.count
                let checkpoint = run.checkpoints { (taken: [String]) in
                    let created = createdBefore + chunkSize - taken.count
                    return (created, BatchCreateDiscountCodesResult(created: Int64(created)).encoded())
                }
                let taken = Set(try await book.insertCodes(batch, checkpoint: checkpoint))
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
                try await book.deleteCode(projectID: projectID, ruleID: ruleID, id: code.id, options: .plain)
            }
            throw ServiceError.invalidArgument(
                field: "generator.count",
                "cannot generate \(count) distinct codes: existing codes leave too few of the \(generator.capacity) possible; nothing was stored. Use a longer length or a larger charset"
            )
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

    private func record(_ text: String, ruleID: String, usageLimit: Int64?) -> DiscountCodeRecord {
        let now = Instant.now()
        return DiscountCodeRecord(
            id: TimeOrderedID.make(), projectID: projectID, priceRuleID: ruleID, code: text,
            useWithOther: request.useWithOther, usageLimit: usageLimit, createdAt: now, updatedAt: now)
    }
}
