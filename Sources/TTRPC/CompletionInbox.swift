import Synchronization

/// Where tasks drop finished calls for their connection's event loop.
///
/// Only the drop that finds the inbox empty schedules a drain, so a burst of
/// completions (a group commit resuming hundreds of writers) costs the event
/// loop one wake-up and one flush, not one per call.
final class CompletionInbox: Sendable {
    struct Completion: Sendable {
        var streamID: UInt32
        var outcome: Outcome
    }

    enum Outcome: Sendable {
        case ready(Result<[UInt8]?, RPCError>)

        var result: Result<[UInt8]?, RPCError> {
            switch self {
            case .ready(let result): result
            }
        }
    }

    private let pending = Mutex<[Completion]>([])

    /// Adds a completion; true when the caller must schedule a drain.
    func put(_ completion: Completion) -> Bool {
        pending.withLock { pending in
            pending.append(completion)
            return pending.count == 1
        }
    }

    func takeAll() -> [Completion] {
        pending.withLock { pending in
            defer { pending.removeAll(keepingCapacity: true) }
            return pending
        }
    }
}
