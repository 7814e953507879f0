import NIOCore

/// Answers a call that was handed off (`MethodHandler.handOff`) from whatever
/// thread finishes it, without a task: the answer goes to the connection's
/// completion inbox, and only the first answer of a burst wakes the event loop.
///
/// Call it exactly once. An answer that arrives after the call's deadline (or
/// after the connection closed) is dropped, as a task's would be.
public struct CallReply: Sendable {
    private let streamID: UInt32
    private let inbox: CompletionInbox
    private let wake: @Sendable () -> Void
    private let errorMapper: @Sendable (any Error, CallContext) -> RPCError
    private let context: CallContext

    init(
        streamID: UInt32, inbox: CompletionInbox, wake: @escaping @Sendable () -> Void,
        errorMapper: @escaping @Sendable (any Error, CallContext) -> RPCError, context: CallContext
    ) {
        self.streamID = streamID
        self.inbox = inbox
        self.wake = wake
        self.errorMapper = errorMapper
        self.context = context
    }

    /// When the caller stops waiting: work not begun by then should not begin.
    public var deadline: NIODeadline { context.deadline }

    /// Sends `payload` as the call's response.
    public func succeed(_ payload: [UInt8]) {
        deliver(.ready(.success(payload)))
    }

    /// Sends the status `error` maps to (as a task's thrown error would be mapped).
    public func fail(_ error: any Error) {
        deliver(.ready(.failure(errorMapper(error, context))))
    }

    /// Answers with what `finish` returns or throws, running it on the
    /// connection's event loop: the completing thread only queues it.
    public func finishOnLoop(_ finish: @escaping @Sendable () throws -> [UInt8]) {
        let errorMapper = self.errorMapper
        let context = self.context
        deliver(.finishOnLoop {
            do {
                return .success(try finish())
            } catch {
                return .failure(errorMapper(error, context))
            }
        })
    }

    private func deliver(_ outcome: CompletionInbox.Outcome) {
        if inbox.put(.init(streamID: streamID, outcome: outcome)) { wake() }
    }
}
