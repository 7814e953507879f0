import NIOCore

/// The server's safety limits; every one has a safe default.
public struct ServerLimits: Sendable {
    /// Largest frame data accepted (containerd's default is 4 MiB).
    public var maxDataSize: Int = 4 << 20
    /// Calls in flight per connection; at the limit the connection is not
    /// read from until one finishes (back-pressure).
    public var maxCallsInFlight: Int = 1024
    /// Open connections; past it a new connection's first calls are answered
    /// UNAVAILABLE and it is closed.
    public var maxConnections: Int = 4096
    /// A connection with no call in flight that sends nothing for this long
    /// is closed. nil (the default, as in containerd and gRPC): never, since
    /// ttrpc clients do not reconnect on their own.
    public var idleTimeout: TimeAmount? = nil
    /// Deadline for calls that carry no `timeout_nano`.
    public var defaultTimeout: TimeAmount = .seconds(30)

    public init() {}
}
