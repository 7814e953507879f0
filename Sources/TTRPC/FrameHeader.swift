import NIOCore

/// The 10-byte header in front of every ttrpc frame (containerd PROTOCOL.md):
/// data length (u32 BE), stream id (u32 BE), message type (u8), flags (u8).
public struct FrameHeader: Sendable, Hashable {
    public static let size = 10

    public var length: UInt32
    public var streamID: UInt32
    public var type: FrameType
    public var flags: FrameFlags

    public init(length: UInt32, streamID: UInt32, type: FrameType, flags: FrameFlags = []) {
        self.length = length
        self.streamID = streamID
        self.type = type
        self.flags = flags
    }
}

/// The frame's message type; kept open so unknown types can be reported, not trapped.
public struct FrameType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let request = FrameType(rawValue: 0x1)
    public static let response = FrameType(rawValue: 0x2)
    public static let data = FrameType(rawValue: 0x3)

    public var description: String {
        switch self {
        case .request: "request"
        case .response: "response"
        case .data: "data"
        default: "type(\(rawValue))"
        }
    }
}

public struct FrameFlags: OptionSet, Sendable, Hashable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The sender will send nothing more on this stream.
    public static let remoteClosed = FrameFlags(rawValue: 0x1)
    /// The sender keeps the stream open for more data (client streaming).
    public static let remoteOpen = FrameFlags(rawValue: 0x2)
    /// The frame carries no data at all (distinct from empty data).
    public static let noData = FrameFlags(rawValue: 0x4)
}

extension ByteBuffer {
    /// Reads a frame header if ten bytes are readable; moves the reader index past it.
    @inlinable
    mutating func readFrameHeader() -> FrameHeader? {
        guard
            let (length, streamID, type, flags) = self.readMultipleIntegers(
                as: (UInt32, UInt32, UInt8, UInt8).self
            )
        else { return nil }
        return FrameHeader(
            length: length, streamID: streamID,
            type: FrameType(rawValue: type), flags: FrameFlags(rawValue: flags))
    }

    @inlinable
    mutating func writeFrameHeader(_ header: FrameHeader) {
        self.writeMultipleIntegers(
            header.length, header.streamID, header.type.rawValue, header.flags.rawValue)
    }

    /// Appends a whole frame: header, then the data that `body` writes.
    /// The length is patched in afterwards so the body is encoded exactly once.
    @inlinable
    mutating func writeFrame(
        streamID: UInt32, type: FrameType, flags: FrameFlags = [],
        body: (inout ByteBuffer) -> Void
    ) {
        let headerIndex = self.writerIndex
        self.writeFrameHeader(FrameHeader(length: 0, streamID: streamID, type: type, flags: flags))
        let bodyStart = self.writerIndex
        body(&self)
        self.setInteger(UInt32(self.writerIndex - bodyStart), at: headerIndex)
    }
}
