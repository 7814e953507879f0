import NIOCore

/// The server's safety limits; every one has a safe default.
public struct ServerLimits: Sendable {
    /// Largest frame data accepted (containerd's default is 4 MiB).
    public var maxDataSize: Int = 4 << 20
    /// Calls in flight per connection before the server stops reading from it.
    public var maxCallsInFlight: Int = 1024
    /// Deadline for calls that carry no `timeout_nano`.
    public var defaultTimeout: TimeAmount = .seconds(30)

    public init() {}
}
