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
    let readSize = Int(control >> 2) + 1  // 1...64 bytes per read

    let whole = decodeAll(stream, maxDataSize: maxDataSize, readSize: stream.count)
    let pieces = decodeAll(stream, maxDataSize: maxDataSize, readSize: readSize)
    check(whole == pieces, "frames depend on how the stream was cut into reads")

    var consumed = 0
    for frame in whole.frames {
        switch frame {
        case .message(let header, let data):
            check(Int(header.length) <= maxDataSize, "a message frame over the limit")
            check(data.readableBytes == Int(header.length), "data length differs from the header")
            let start = consumed + FrameHeader.size
            check(data.readableBytesView.elementsEqual(stream[start..<start + data.readableBytes]), "data is not the sent bytes")
            // Encoding the frame again gives back the bytes it came from.
            var encoded = ByteBuffer()
            encoded.writeMultipleIntegers(header.length, header.streamID, header.type.rawValue, header.flags.rawValue)
            encoded.writeImmutableBuffer(data)
            check(encoded.readableBytesView.elementsEqual(stream[consumed..<start + data.readableBytes]), "re-encoded frame differs")
        case .oversized(let header):
            check(Int(header.length) > maxDataSize, "a frame within the limit reported oversized")
        }
        consumed += FrameHeader.size + Int(frame.header.length)
    }
    check(consumed + whole.leftover == stream.count, "bytes lost or invented: \(consumed) + \(whole.leftover) != \(stream.count)")
    return 0
}

private struct Decoded: Equatable {
    var frames: [Frame] = []
    /// Bytes neither framed nor skipped: an incomplete last frame.
    var leftover = 0
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
                result.frames.append(frame)
                pendingFrameBytes -= FrameHeader.size + Int(frame.header.length)
            }
        } catch {
            check(false, "the frame decoder threw \(error)")
        }
    } while offset < stream.count
    result.leftover = pendingFrameBytes
    return result
}

extension Frame {
    fileprivate var header: FrameHeader {
        switch self {
        case .message(let header, _), .oversized(let header): header
        }
    }
}

exit(runLibFuzzer { data, size in fuzzFrameDecoder(data ?? UnsafePointer(bitPattern: 1)!, size) })
