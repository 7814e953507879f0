import DiscountCore
import DiscountProto
import SystemRandom

/// AddVoucherCodes: an imported list or a generator, stored in chunks (each
/// its own transaction, so other writes get in between) with progress after
/// each; resumable under an idempotency key and stopped cleanly by shutdown (`BulkRun`).
struct VoucherCodeAddition {
    static let maxCodes = DiscountCore.CodeGenerator.maxCount
    /// Rounds of redrawing generated codes that collided with existing ones.
    static let maxGeneratorRounds = 8

    let book: VoucherBook
    let projectID: String
    let poolID: String
    let request: AddVoucherCodesRequest
    let run: BulkRun
    /// Codes per transaction and per progress message.
    let chunk: Int

    /// The tally a checkpoint kept (in the result message's encoding).
    private var resumedTally: AddVoucherCodesResult {
        run.resumed.flatMap { try? AddVoucherCodesResult(protobufBytes: $0.tally) } ?? AddVoucherCodesResult()
    }

    func perform(progress: (Int, Int) async throws -> Void) async throws -> AddVoucherCodesResult {
        switch (request.codes.isEmpty, request.generator) {
        case (false, nil):
            guard request.codes.count <= Self.maxCodes else {
                throw ServiceError.invalidArgument(field: "codes", "codes may hold at most \(Self.maxCodes) entries")
            }
            let texts = try Self.validated(request.codes)
            _ = try await book.pool(projectID: projectID, id: poolID)
            return try await importList(texts, progress: progress)
        case (true, let generator?):
            let (codeGenerator, count) = try BatchCodeCreation.check(generator)
            _ = try await book.pool(projectID: projectID, id: poolID)
            return try await generate(codeGenerator, count: count, progress: progress)
        default:
            throw ServiceError.invalidArgument(field: "codes", "give exactly one of codes (non-empty) or generator")
        }
    }

    /// Every text checked before anything is stored: a bad one refuses the call, naming it.
    static func validated(_ codes: [String]) throws -> [VoucherCodeText] {
        try codes.enumerated().map { index, raw in
            switch CodeText.validated(raw) {
            case .success(let text): return VoucherCodeText(text)
            case .failure(let problem): throw ServiceError.invalidArgument(field: "codes[\(index)]", "codes[\(index)] \(problem)")
            }
        }
    }

    private func importList(
        _ texts: [VoucherCodeText], progress: (Int, Int) async throws -> Void
    ) async throws -> AddVoucherCodesResult {
        var result = resumedTally
        var start = min(Int(clamping: run.resumed?.processed ?? 0), texts.count)
        while start < texts.count {
            let end = min(start + chunk, texts.count)
            try run.checkShutdown(committed: start, of: texts.count, what: "listed codes")
            let before = result
            let checkpoint = run.checkpoints { (stored: VoucherAddResult) in
                (
                    end,
                    AddVoucherCodesResult(added: before.added + stored.added, duplicates: before.duplicates + stored.duplicates)
                        .encoded()
                )
            }
            let stored = try await book.add(
                projectID: projectID, poolID: poolID, Array(texts[start..<end]), checkpoint: checkpoint)
            result.added += stored.added
            result.duplicates += stored.duplicates
            start = end
            try await progress(end, texts.count)
        }
        return result
    }

    /// Draws until `count` new codes are stored; draws that collide with the
    /// project's codes are drawn again (they are not duplicates of the request).
    private func generate(
        _ generator: DiscountCore.CodeGenerator, count: Int, progress: (Int, Int) async throws -> Void
    ) async throws -> AddVoucherCodesResult {
        // Random codes have no order of their own: sorted (as SQLite compares
        // them) they land on neighbouring pages of the unique index, which
        // halves the cost of storing them.
        let draw: @Sendable (Int) -> [VoucherCodeText] = { size in
            generator.generate(size).map(VoucherCodeText.init)
                .sorted { $0.canonical.utf8.lexicographicallyPrecedes($1.canonical.utf8) }
        }
        var added = Int(clamping: resumedTally.added)
        var collidingRounds = 0
        var drawn = draw(min(chunk, max(0, count - added)))
        while !drawn.isEmpty {
            // Draw the next chunk on the other core while this one is stored.
            let upcomingSize = max(0, min(chunk, count - added - drawn.count))
            async let upcoming = draw(upcomingSize)
            try run.checkShutdown(committed: added, of: count, what: "generated codes")
            let addedBefore = added
            let checkpoint = run.checkpoints { (stored: VoucherAddResult) in
                (addedBefore + Int(stored.added), AddVoucherCodesResult(added: Int64(addedBefore) + stored.added).encoded())
            }
            let stored = try await book.add(projectID: projectID, poolID: poolID, drawn, checkpoint: checkpoint)
            added += Int(stored.added)
            try await progress(added, count)
            var next = await upcoming
            if stored.duplicates > 0 {
                collidingRounds += 1
                if collidingRounds >= Self.maxGeneratorRounds {
                    throw ServiceError.invalidArgument(
                        field: "generator.count",
                        "stored \(added) of \(count) codes: the project's codes leave too few of the \(generator.capacity) possible. Use a longer length or a larger charset"
                    )
                }
                next += draw(min(chunk - next.count, count - added - next.count))
            }
            drawn = next
        }
        return AddVoucherCodesResult(added: Int64(added), duplicates: 0)
    }
}
