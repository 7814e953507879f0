import NIOCore

/// One decoded frame, or the fact that one was too large and was skipped.
public enum Frame: Sendable, Equatable {
    /// A complete frame whose data fits the size limit.
    case message(FrameHeader, ByteBuffer)
    /// A frame whose data exceeded the limit; its bytes were discarded, so the
    /// connection stays in sync and the stream can be answered with an error.
    case oversized(FrameHeader)
}
