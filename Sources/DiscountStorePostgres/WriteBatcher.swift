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

    init(
        maximumBatch: Int, concurrency: Int, write: @escaping @Sendable ([Input]) async throws -> [Result<Output, any Error>]
    ) {
        self.maximumBatch = max(1, maximumBatch)
        self.concurrency = max(1, concurrency)
        self.write = write
    }

    /// Queues `input`; `completion` runs once its batch has committed (or
    /// failed), on the writer's task. A call still queued at `deadline` is
    /// dropped with `StoreError.deadlineExceeded`, nothing written.
    func submit(_ input: Input, deadline: WriteDeadline, completion: @escaping Completion) {
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
            for call in calls {
                if call.deadline.hasPassed {
                    call.completion(.failure(StoreError.deadlineExceeded))
                } else {
                    live.append(call)
                }
            }
            guard !live.isEmpty else { continue }
            do {
                let results = try await write(live.map(\.input))
                precondition(results.count == live.count, "a batch answers every call")
                for (call, result) in zip(live, results) { call.completion(result) }
            } catch {
                for call in live { call.completion(.failure(error)) }
            }
        }
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
