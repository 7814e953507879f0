import Logging
import NIOCore

/// What a handler knows about the call it serves.
public struct CallContext: Sendable {
    public let service: String
    public let method: String
    public let streamID: UInt32
    public let metadata: Metadata
    /// When the caller stops waiting: its `timeout_nano`, or the server's default.
    public let deadline: NIODeadline
    /// The connected process, as the kernel reports it.
    public let peer: PeerCredentials?
    public var logger: Logger

    public init(
        service: String, method: String, streamID: UInt32 = 1, metadata: Metadata = Metadata(),
        deadline: NIODeadline = .distantFuture, peer: PeerCredentials? = nil,
        logger: Logger = Logger(label: "ttrpc")
    ) {
        self.service = service
        self.method = method
        self.streamID = streamID
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.logger = logger
    }
}
