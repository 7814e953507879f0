import Dispatch

/// The moment a queued write stops being worth starting: its caller's
/// deadline, on the clock NIO's deadlines use (`DispatchTime` uptime). A write
/// still waiting for the writer then is skipped and fails with
/// `StoreError.deadlineExceeded`, so a caller told DEADLINE_EXCEEDED finds
/// nothing written; one that has begun runs to its commit.
public struct WriteDeadline: Sendable, Equatable {
    public let uptimeNanoseconds: UInt64

    public init(uptimeNanoseconds: UInt64) {
        self.uptimeNanoseconds = uptimeNanoseconds
    }

    /// No deadline: the write runs whenever the writer reaches it.
    public static let never = WriteDeadline(uptimeNanoseconds: .max)

    public var hasPassed: Bool {
        uptimeNanoseconds != .max && DispatchTime.now().uptimeNanoseconds >= uptimeNanoseconds
    }
}
