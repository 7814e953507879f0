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
    /// The connection's logger (peer, connection number), without this call's request id.
    public var connectionLogger: Logger
    /// Numbers the connection within the server process.
    public let connectionID: UInt64

    public init(
        service: String, method: String, streamID: UInt32 = 1, metadata: Metadata = Metadata(),
        deadline: NIODeadline = .distantFuture, peer: PeerCredentials? = nil,
        logger: Logger = Logger(label: "ttrpc"), connectionID: UInt64 = 0
    ) {
        self.service = service
        self.method = method
        self.streamID = streamID
        self.metadata = metadata
        self.deadline = deadline
        self.peer = peer
        self.connectionLogger = logger
        self.connectionID = connectionID
    }

    /// The caller's `x-request-id` (or `request-id`) metadata; else
    /// "<connection>-<stream>", unique within this server process.
    public var requestID: String {
        metadata["x-request-id"] ?? metadata["request-id"] ?? "\(connectionID)-\(streamID)"
    }

    /// Logs about this call: the connection's metadata plus `request-id`.
    /// Built when asked for (at debug level, or on an error), so a call that
    /// logs nothing pays nothing for it.
    public var logger: Logger {
        get {
            var logger = connectionLogger
            logger[metadataKey: "request-id"] = .string(requestID)
            return logger
        }
        set { connectionLogger = newValue }
    }
}
