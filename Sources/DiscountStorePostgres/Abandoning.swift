import Synchronization

/// Runs `body` in a task of its own while `watch` waits; once `watch` returns
/// a reason, `body` is cancelled and, if it has not ended `grace` later, left
/// behind: the call throws the reason instead of waiting on. Cancelling the
/// caller cancels `body`.
///
/// Why not a task group: a group waits for every child, and postgres-nio
/// answers nobody for a query written after its connection has closed (the
/// channel's handlers are gone by then), so such a query never returns, not
/// even when cancelled. A heartbeat or a batch awaiting one in a group hung
/// for good after a PostgreSQL restart.
func abandoning<T: Sendable>(
    grace: Duration = .zero,
    watch: @escaping @Sendable () async -> any Error,
    _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    let race = Race<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.begin(
                continuation,
                work: Task {
                    let result: Result<T, any Error>
                    do { result = .success(try await body()) } catch { result = .failure(error) }
                    race.settle(result)
                },
                watcher: Task {
                    let reason = await watch()
                    guard !race.isSettled else { return }
                    race.cancelWork()
                    if grace > .zero { try? await Task.sleep(for: grace) }
                    race.settle(.failure(reason))
                })
        }
    } onCancel: {
        race.cancelWork()
    }
}

/// The one outcome of `abandoning` (the first to settle it resumes its
/// caller, whenever the caller's continuation arrives), and the tasks racing
/// to settle it.
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var result: Result<T, any Error>?
        var work: Task<Void, Never>?
        var watcher: Task<Void, Never>?
        var workCancelled = false
    }

    private let state = Mutex(State())

    var isSettled: Bool { state.withLock { $0.result != nil } }

    func begin(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>, watcher: Task<Void, Never>) {
        let (early, cancelled) = state.withLock { state -> (Result<T, any Error>?, Bool) in
            state.work = work
            state.watcher = watcher
            if state.result == nil { state.continuation = continuation }
            return (state.result, state.workCancelled)
        }
        if cancelled { work.cancel() }
        if let early {
            watcher.cancel()
            continuation.resume(with: early)
        }
    }

    /// Resumes the caller with `result` unless it was settled already, and
    /// stops the watcher.
    func settle(_ result: Result<T, any Error>) {
        let (continuation, watcher) = state.withLock { state -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?) in
            guard state.result == nil else { return (nil, nil) }
            state.result = result
            return (state.continuation.take(), state.watcher)
        }
        watcher?.cancel()
        continuation?.resume(with: result)
    }

    func cancelWork() {
        state.withLock { state in
            state.workCancelled = true
            return state.work
        }?.cancel()
    }
}
