import NIOCore

/// Splits the byte stream into ttrpc frames.
///
/// Over-size data is skipped rather than buffered (as containerd's channel.go
/// discards it), so a hostile length costs no memory and the stream can be
/// answered with RESOURCE_EXHAUSTED while the connection lives on.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = Frame

    public let maxDataSize: Int
    private var state: State = .header

    private enum State {
        case header
        case data(FrameHeader)
        case discarding(FrameHeader, remaining: Int)
    }

    public init(maxDataSize: Int = 4 << 20) {
        self.maxDataSize = maxDataSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        while true {
            switch self.state {
            case .header:
                guard let header = buffer.readFrameHeader() else { return nil }
                if Int(header.length) > self.maxDataSize {
                    self.state = .discarding(header, remaining: Int(header.length))
                } else {
                    self.state = .data(header)
                }
            case .data(let header):
                guard let data = buffer.readSlice(length: Int(header.length)) else { return nil }
                self.state = .header
                return .message(header, data)
            case .discarding(let header, let remaining):
                let skipped = min(remaining, buffer.readableBytes)
                buffer.moveReaderIndex(forwardBy: skipped)
                if skipped < remaining {
                    self.state = .discarding(header, remaining: remaining - skipped)
                    return nil
                }
                self.state = .header
                return .oversized(header)
            }
        }
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        // A peer that hangs up mid-frame leaves nothing worth answering.
        try self.decode(buffer: &buffer)
    }
}
