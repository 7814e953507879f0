import FuzzSupport
import NIOCore
import TTRPC

/// libFuzzer target: the ttrpc frame decoder (header and length handling).
///
/// The first input byte picks the data size limit and how the rest is cut
/// into reads; the rest is the byte stream a client would send. Whatever the
/// cut, the decoder must yield the same frames, each within its limit, and
/// account for every byte.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let control = data[0]
    let stream = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    let maxDataSize = [64, 1024, 4 << 20, 16][Int(control & 3)]
    // 1...64 bytes per read, but at most 256 reads: long inputs stay fast.
    let readSize = max(Int(control >> 2) + 1, stream.count / 256)

    let whole = decodeAll(stream, maxDataSize: maxDataSize, readSize: stream.count)
    let pieces = decodeAll(stream, maxDataSize: maxDataSize, readSize: readSize)
    check(whole == pieces, "frames depend on how the stream was cut into reads")

    var consumed = 0
    for frame in whole.frames {
        let header = frame.header
        if let data = frame.data {
            check(Int(header.length) <= maxDataSize, "a message frame over the limit")
            check(data.count == Int(header.length), "data length differs from the header")
            let start = consumed + FrameHeader.size
            check(data.elementsEqual(stream[start..<start + data.count]), "data is not the sent bytes")
            // Encoding the frame again gives back the bytes it came from.
            var encoded = ByteBuffer()
            encoded.writeMultipleIntegers(header.length, header.streamID, header.type.rawValue, header.flags.rawValue)
            encoded.writeBytes(data)
            check(encoded.readableBytesView.elementsEqual(stream[consumed..<start + data.count]), "re-encoded frame differs")
        } else {
            check(Int(header.length) > maxDataSize, "a frame within the limit reported oversized")
        }
        consumed += FrameHeader.size + Int(header.length)
    }
    check(consumed + whole.leftover == stream.count, "bytes lost or invented: \(consumed) + \(whole.leftover) != \(stream.count)")
    return 0
}

private struct Decoded: Equatable {
    /// Each frame's header, and its data (nil when it was over the limit), copied out:
    /// a slice kept alive would make every later write copy the whole buffer.
    var frames: [DecodedFrame] = []
    /// Bytes neither framed nor skipped: an incomplete last frame.
    var leftover = 0
}

private struct DecodedFrame: Equatable {
    var header: FrameHeader
    var data: [UInt8]?

    init(_ frame: Frame) {
        switch frame {
        case .message(let header, let data):
            self.header = header
            self.data = Array(data.readableBytesView)
        case .oversized(let header):
            self.header = header
            self.data = nil
        }
    }
}

private func decodeAll(_ stream: UnsafeRawBufferPointer, maxDataSize: Int, readSize: Int) -> Decoded {
    var decoder = FrameDecoder(maxDataSize: maxDataSize)
    var buffer = ByteBuffer()
    var result = Decoded()
    var offset = 0
    var pendingFrameBytes = 0
    repeat {
        let end = min(stream.count, offset + max(1, readSize))
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: stream[offset..<end]))
        pendingFrameBytes += end - offset
        offset = end
        do {
            while let frame = try decoder.decode(buffer: &buffer) {
                let decoded = DecodedFrame(frame)
                result.frames.append(decoded)
                pendingFrameBytes -= FrameHeader.size + Int(decoded.header.length)
            }
        } catch {
            check(false, "the frame decoder threw \(error)")
        }
    } while offset < stream.count
    result.leftover = pendingFrameBytes
    return result
}

exit(runLibFuzzer { data, size in fuzzFrameDecoder(data ?? UnsafePointer(bitPattern: 1)!, size) })
