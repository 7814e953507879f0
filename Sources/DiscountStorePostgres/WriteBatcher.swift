import DiscountStore
import Synchronization

/// Group commit for one kind of write. Calls queue; a writer takes everything
/// queued (up to `maximumBatch`) and writes it as one batch, and the calls that
/// arrive meanwhile wait for the next one. At most `concurrency` batches are
/// written at once. Under load, batches grow to what arrives during one
/// round trip and commit; alone, a call is a batch of one with no added wait.
///
/// `write` answers each input of a batch, in order; when it throws, every call
/// of the batch fails with that error.
///
/// No call waits on a server that is gone: while `refusal` names a reason
/// (the store knows the server is unreachable), calls fail with it at once,
/// queued or new. A batch is watched while it is written, and cancelled once
/// `refusal` says so or every one of its calls' deadlines has passed, which
/// gives up a wait for a pooled connection; if it still has not ended a second
/// later (a query postgres-nio never answers: see `abandoning`), it is left
/// behind. Without this, one batch stuck waiting held a writer for good, and
/// the calls queued behind it timed out instead of failing fast.
final class WriteBatcher<Input: Sendable, Output: Sendable>: Sendable {
    typealias Completion = @Sendable (Result<Output, any Error>) -> Void

    private struct Call {
        var input: Input
        var deadline: WriteDeadline
        var completion: Completion
    }

    private struct State {
        var queue: [Call] = []
        var writers = 0
        var closed = false
        var drained: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let maximumBatch: Int
    private let concurrency: Int
    private let write: @Sendable ([Input]) async throws -> [Result<Output, any Error>]
    private let refusal: @Sendable () -> (any Error)?
    /// How often a batch being written looks at `refusal` and the deadlines.
    private let watchInterval: Duration

    init(
        maximumBatch: Int, concurrency: Int, refusal: @escaping @Sendable () -> (any Error)? = { nil },
        watchInterval: Duration = .milliseconds(50),
        write: @escaping @Sendable ([Input]) async throws -> [Result<Output, any Error>]
    ) {
        self.maximumBatch = max(1, maximumBatch)
        self.concurrency = max(1, concurrency)
        self.refusal = refusal
        self.watchInterval = watchInterval
        self.write = write
    }

    /// Queues `input`; `completion` runs once its batch has committed (or
    /// failed), on the writer's task. A call still queued at `deadline` is
    /// dropped with `StoreError.deadlineExceeded`, nothing written.
    func submit(_ input: Input, deadline: WriteDeadline, completion: @escaping Completion) {
        if let refused = refusal() { return completion(.failure(refused)) }
        let outcome = state.withLock { state -> (accepted: Bool, startWriter: Bool) in
            guard !state.closed else { return (false, false) }
            state.queue.append(Call(input: input, deadline: deadline, completion: completion))
            guard state.writers < concurrency else { return (true, false) }
            state.writers += 1
            return (true, true)
        }
        guard outcome.accepted else { return completion(.failure(StoreError.closed)) }
        if outcome.startWriter { Task { await self.drain() } }
    }

    func submit(_ input: Input, deadline: WriteDeadline) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            submit(input, deadline: deadline) { continuation.resume(with: $0) }
        }
    }

    /// Refuses new calls, and returns once every queued one has been written.
    func close() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state in
                state.closed = true
                if state.writers == 0 { return true }
                state.drained.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }

    private func drain() async {
        while let calls = nextBatch() {
            var live: [Call] = []
            live.reserveCapacity(calls.count)
            let refused = refusal()
            for call in calls {
                if let refused {
                    call.completion(.failure(refused))
                } else if call.deadline.hasPassed {
                    call.completion(.failure(StoreError.deadlineExceeded))
                } else {
                    live.append(call)
                }
            }
            guard !live.isEmpty else { continue }
            let lastDeadline = live.map(\.deadline.uptimeNanoseconds).max().map(WriteDeadline.init) ?? .never
            let inputs = live.map(\.input)
            switch await watched(until: lastDeadline, { [write] in try await write(inputs) }) {
            case .success(let results):
                precondition(results.count == live.count, "a batch answers every call")
                for (call, result) in zip(live, results) { call.completion(result.mapError(abandoned)) }
            case .failure(let error):
                for call in live { call.completion(.failure(abandoned(error))) }
            }
        }
    }

    /// Runs `body`, cancelling it once `refusal` names a reason or `deadline`
    /// has passed, and giving it up a second later if it has not ended by then.
    private func watched<T: Sendable>(
        until deadline: WriteDeadline, _ body: @escaping @Sendable () async throws -> T
    ) async -> Result<T, any Error> {
        do {
            return .success(
                try await abandoning(
                    grace: .seconds(1),
                    watch: { [refusal, watchInterval] in
                        while !Task.isCancelled, refusal() == nil, !deadline.hasPassed {
                            try? await Task.sleep(for: watchInterval)
                        }
                        return refusal() ?? StoreError.deadlineExceeded
                    }, body))
        } catch {
            return .failure(error)
        }
    }

    /// A cancelled batch's failure as its callers hear it: why it was given up.
    private func abandoned(_ error: any Error) -> any Error {
        guard error is CancellationError else { return error }
        return refusal() ?? StoreError.deadlineExceeded
    }

    /// The next batch, or nil (and this writer stops) when nothing is queued.
    private func nextBatch() -> [Call]? {
        let (batch, drained) = state.withLock { state -> ([Call]?, [CheckedContinuation<Void, Never>]) in
            guard !state.queue.isEmpty else {
                state.writers -= 1
                guard state.writers == 0, state.closed else { return (nil, []) }
                defer { state.drained = [] }
                return (nil, state.drained)
            }
            let count = min(maximumBatch, state.queue.count)
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return (batch, [])
        }
        for continuation in drained { continuation.resume() }
        return batch
    }
}
