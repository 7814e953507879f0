import NIOCore
import NIOTestUtils
import Testing

@testable import TTRPC

@Suite struct FrameDecoderTests {
    func frame(_ streamID: UInt32, _ type: FrameType, _ data: [UInt8], flags: FrameFlags = []) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeFrameHeader(FrameHeader(length: UInt32(data.count), streamID: streamID, type: type, flags: flags))
        buffer.writeBytes(data)
        return buffer
    }

    func expected(_ streamID: UInt32, _ type: FrameType, _ data: [UInt8], flags: FrameFlags = []) -> Frame {
        .message(
            FrameHeader(length: UInt32(data.count), streamID: streamID, type: type, flags: flags),
            ByteBuffer(bytes: data))
    }

    @Test func dripFedAndBatchedFramesDecodeTheSame() throws {
        let pairs: [(ByteBuffer, [Frame])] = [
            (frame(1, .request, [1, 2, 3]), [expected(1, .request, [1, 2, 3])]),
            (frame(3, .request, []), [expected(3, .request, [])]),
            (
                frame(5, .data, Array(repeating: 7, count: 300), flags: .remoteClosed),
                [expected(5, .data, Array(repeating: 7, count: 300), flags: .remoteClosed)]
            ),
            (frame(0xFFFF_FFFF, .response, [9]), [expected(0xFFFF_FFFF, .response, [9])]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoder(maxDataSize: 1024)
        }
    }

    @Test func headerIsBigEndian() {
        var buffer = ByteBuffer()
        buffer.writeFrameHeader(FrameHeader(length: 0x0102_0304, streamID: 0x0506_0708, type: .data, flags: .remoteClosed))
        #expect(Array(buffer: buffer) == [1, 2, 3, 4, 5, 6, 7, 8, 3, 1])
    }

    @Test func writeFramePatchesTheLength() {
        var buffer = ByteBuffer()
        buffer.writeFrame(streamID: 7, type: .response) { $0.writeBytes([0xAA, 0xBB]) }
        #expect(Array(buffer: buffer) == [0, 0, 0, 2, 0, 0, 0, 7, 2, 0, 0xAA, 0xBB])
    }

    @Test func oversizedDataIsSkippedAndTheStreamStaysInSync() throws {
        var decoder = FrameDecoder(maxDataSize: 16)
        var input = frame(1, .request, Array(repeating: 1, count: 17))
        input.writeImmutableBuffer(frame(3, .request, [4]))
        // Feed in small pieces: the skip must span reads without buffering.
        var outputs: [Frame] = []
        var pending = ByteBuffer()
        while input.readableBytes > 0 {
            var piece = input.readSlice(length: min(5, input.readableBytes))!
            pending.writeBuffer(&piece)
            while let frame = try decoder.decode(buffer: &pending) { outputs.append(frame) }
            pending.discardReadBytes()
        }
        #expect(
            outputs == [
                .oversized(FrameHeader(length: 17, streamID: 1, type: .request)),
                expected(3, .request, [4]),
            ])
    }

    @Test func hugeLengthCostsNoMemory() throws {
        var decoder = FrameDecoder(maxDataSize: 4 << 20)
        var buffer = ByteBuffer()
        buffer.writeFrameHeader(FrameHeader(length: .max, streamID: 1, type: .request))
        buffer.writeBytes(Array(repeating: 0, count: 1000))
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 0)  // skipped, not kept
    }

    @Test func truncatedHeaderWaitsForMore() throws {
        var decoder = FrameDecoder()
        var buffer = ByteBuffer(bytes: [0, 0, 0, 1, 0, 0, 0])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        #expect(buffer.readableBytes == 7)
    }
}
