import DiscountCore
import DiscountStore
import PostgresNIO

/// One call of a batched write: its input and, when it was sent with an
/// idempotency key, its claim.
struct Batched<Input: Sendable, Output: Sendable>: Sendable {
    var input: Input
    var claim: IdempotencyClaim<Output>?

    init(_ input: Input, _ options: WriteOptions<Output>) {
        self.input = input
        claim = options.idempotency
    }
}

extension PostgresStore {
    /// A batch's statement: an answer for each input, in order, run with `run`.
    typealias BatchStatement<Input, Output> = (_ run: StatementRunner, _ inputs: [Input]) async throws -> [Result<
        Output, any Error
    >]

    /// Writes `calls` together, in one transaction:
    /// - without idempotency keys, the statement between BEGIN and COMMIT:
    ///   three round trips, one commit;
    /// - with keys, between BEGIN and COMMIT: the keys are claimed in one
    ///   statement (a call whose key has a live record is a replay and is
    ///   left out), the statement runs, and the answers are saved (or the
    ///   claims of refused calls dropped) in one more. Still one commit. A
    ///   key repeated within the batch waits for a later round of the same
    ///   transaction, and so finds its first call's record.
    /// A batch that fails as a whole (a deadlock, or a row another daemon
    /// took at the same moment) is written again call by call, each in its
    /// own transaction, so each gets its own answer. `failure` names a
    /// call's refusal in the store's terms.
    func writeBatch<Input: Sendable, Output: Sendable>(
        _ calls: [Batched<Input, Output>], failure: (Input, any Error) -> any Error = { $1 },
        _ statement: BatchStatement<Input, Output>
    ) async -> [Result<Output, any Error>] {
        do {
            return try await gated { try await batchOnce(calls, statement) }.map { result in
                result.mapError { PostgresErrors.storeError($0) }
            }
        } catch  where calls.count > 1 && !(error is StoreError) && !(error is CancellationError) {
            var results: [Result<Output, any Error>] = []
            for call in calls { results.append(await alone(call, failure: failure, statement)) }
            return results
        } catch {
            return calls.map { .failure(PostgresErrors.storeError(failure($0.input, error))) }
        }
    }

    private func batchOnce<Input: Sendable, Output: Sendable>(
        _ calls: [Batched<Input, Output>], _ statement: BatchStatement<Input, Output>
    ) async throws -> [Result<Output, any Error>] {
        // Never a statement committing by itself: PostgreSQL answers its
        // CommandComplete before the implicit commit at Sync, and postgres-nio
        // hands the rows over on that answer, so a server stopping in between
        // left a write acknowledged and not committed (scripts/multihost-test
        // saw it during a restart). COMMIT's own answer comes after the commit.
        if calls.allSatisfy({ $0.claim == nil }) {
            return try await rawWrite { transaction in
                let connection = transaction.connection
                let logger = transaction.logger
                return try await statement({ try await collect(connection.query($0, logger: logger)) }, calls.map(\.input))
            }
        }
        return try await rawWrite { transaction in
            let connection = transaction.connection
            let logger = transaction.logger
            let run: StatementRunner = { try await collect(connection.query($0, logger: logger)) }
            var results = [Result<Output, any Error>?](repeating: nil, count: calls.count)
            for round in Self.roundsByKey(calls) {
                let keyed = round.filter { calls[$0].claim != nil }
                let replays = try await transaction.claim(keyed.map { ClaimRow(calls[$0].claim!) })
                for (index, replay) in zip(keyed, replays) {
                    if let replay { results[index] = .failure(StoreError.replay(replay)) }
                }
                let writing = round.filter { results[$0] == nil }
                let answers = writing.isEmpty ? [] : try await statement(run, writing.map { calls[$0].input })
                var keep: [IdempotencyRecord] = []
                var drop: [ClaimRow] = []
                for (index, answer) in zip(writing, answers) {
                    results[index] = answer
                    guard let claim = calls[index].claim else { continue }
                    if case .success(let value) = answer, let record = claim.record(for: value) {
                        keep.append(record)
                    } else {
                        drop.append(ClaimRow(claim))
                    }
                }
                try await transaction.settle(keep: keep, drop: drop)
            }
            return results.map { $0! }
        }
    }

    /// One call in a transaction of its own. A row another daemon took at the
    /// same moment (a unique index refusing this one) runs it again, which
    /// then sees that row.
    private func alone<Input: Sendable, Output: Sendable>(
        _ call: Batched<Input, Output>, failure: (Input, any Error) -> any Error, _ statement: BatchStatement<Input, Output>
    ) async -> Result<Output, any Error> {
        var attempt = 1
        while true {
            do {
                return .success(
                    try await gated {
                        try await rawWrite(options: WriteOptions(idempotency: call.claim)) { transaction in
                            let connection = transaction.connection
                            let logger = transaction.logger
                            return try await statement({ try await collect(connection.query($0, logger: logger)) }, [call.input])[
                                0
                            ]
                            .get()
                        }
                    })
            } catch  where attempt < 3 && PostgresErrors.isUniqueViolation(error) {
                attempt += 1
            } catch {
                return .failure(PostgresErrors.storeError(failure(call.input, error)))
            }
        }
    }

    /// The calls' positions in rounds where no idempotency key repeats.
    static func roundsByKey<Input, Output>(_ calls: [Batched<Input, Output>]) -> [[Int]] {
        var rounds: [[Int]] = []
        var seen: [String: Int] = [:]
        for (index, call) in calls.enumerated() {
            var round = 0
            if let claim = call.claim {
                let key = claim.projectID + "\u{0}" + claim.key
                round = seen[key].map { $0 + 1 } ?? 0
                seen[key] = round
            }
            if round == rounds.count { rounds.append([]) }
            rounds[round].append(index)
        }
        return rounds
    }
}
