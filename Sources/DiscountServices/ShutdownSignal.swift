import Synchronization

/// Raised when the daemon starts draining (SIGTERM): long operations stop at
/// their next chunk and say what they committed, instead of being cut off
/// at the end of the grace period with their caller none the wiser.
public final class ShutdownSignal: Sendable {
    private let raised = Atomic<Bool>(false)

    public init() {}

    public func raise() { raised.store(true, ordering: .releasing) }

    public var isRaised: Bool { raised.load(ordering: .acquiring) }
}
