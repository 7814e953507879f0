import Logging
import NIOCore
import NIOEmbedded
import Testing

@testable import TTRPC

/// The frame-level rules, checked on an in-memory channel.
@Suite struct ServerConnectionHandlerTests {
    static let echoRouter: Router = {
        var router = Router()
        router.register("test.Echo", "Echo", .unary({ payload, _ in payload }, fastPath: { payload, _ in .answered(payload) }))
        router.register(
            "test.Echo", "Fail",
            .unary(
                { _, _ in throw RPCError(.notFound, "nothing here") },
                fastPath: { _, _ in throw RPCError(.notFound, "nothing here") }))
        return router
    }()

    func makeChannel(maxDataSize: Int = 1024) throws -> EmbeddedChannel {
        var limits = ServerLimits()
        limits.maxDataSize = maxDataSize
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(
            ServerConnectionHandler(
                router: Self.echoRouter, limits: limits, polling: LoopPolling(), logger: Logger(label: "test")))
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/tmp/none")).wait()
        return channel
    }

    func request(_ streamID: UInt32, _ service: String, _ method: String, _ payload: [UInt8] = []) -> ByteBuffer {
        var buffer = ByteBuffer()
        let request = TTRPCRequest(service: service, method: method, payload: payload)
        buffer.writeFrame(streamID: streamID, type: .request) { request.encode(into: &$0) }
        return buffer
    }

    /// Reads every response frame written so far.
    func responses(_ channel: EmbeddedChannel) throws -> [(FrameHeader, TTRPCResponse)] {
        var all = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&chunk) }
        var frames: [(FrameHeader, TTRPCResponse)] = []
        while let header = all.readFrameHeader() {
            let data = all.readSlice(length: Int(header.length))!
            frames.append((header, try TTRPCResponse(protobufBytes: data)))
        }
        return frames
    }

    @Test func answersOnTheRequestsStream() throws {
        let channel = try makeChannel()
        try channel.writeInbound(request(7, "test.Echo", "Echo", [1, 2, 3]))
        let answers = try responses(channel)
        #expect(answers.count == 1)
        #expect(answers[0].0.streamID == 7)
        #expect(answers[0].0.type == .response)
        #expect(answers[0].1.status == nil)
        #expect(answers[0].1.payload == [1, 2, 3])
    }

    @Test func batchedRequestsAreAnsweredInOneWrite() throws {
        let channel = try makeChannel()
        var batch = ByteBuffer()
        for id in stride(from: UInt32(1), through: 63, by: 2) {
            var one = request(id, "test.Echo", "Echo", [UInt8(id)])
            batch.writeBuffer(&one)
        }
        try channel.writeInbound(batch)
        var writes = 0
        var all = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) {
            writes += 1
            all.writeBuffer(&chunk)
        }
        #expect(writes == 1)
        var ids: [UInt32] = []
        while let header = all.readFrameHeader() {
            ids.append(header.streamID)
            all.moveReaderIndex(forwardBy: Int(header.length))
        }
        #expect(ids == Array(stride(from: UInt32(1), through: 63, by: 2)))
    }

    @Test func evenStreamIDGetsInvalidArgumentAndTheConnectionLives() throws {
        let channel = try makeChannel()
        try channel.writeInbound(request(2, "test.Echo", "Echo"))
        try channel.writeInbound(request(3, "test.Echo", "Echo", [9]))
        let answers = try responses(channel)
        #expect(answers.map(\.0.streamID) == [2, 3])
        #expect(answers[0].1.status?.code == StatusCode.invalidArgument.rawValue)
        #expect(answers[1].1.payload == [9])
        #expect(channel.isActive)
    }

    @Test func oversizedFrameGetsResourceExhaustedAndTheConnectionLives() throws {
        let channel = try makeChannel(maxDataSize: 64)
        try channel.writeInbound(request(1, "test.Echo", "Echo", Array(repeating: 1, count: 100)))
        try channel.writeInbound(request(3, "test.Echo", "Echo", [5]))
        let answers = try responses(channel)
        #expect(answers.map(\.0.streamID) == [1, 3])
        #expect(answers[0].1.status?.code == StatusCode.resourceExhausted.rawValue)
        #expect(answers[1].1.payload == [5])
    }

    @Test func unknownServiceAndMethodAreUnimplemented() throws {
        let channel = try makeChannel()
        try channel.writeInbound(request(1, "test.Nope", "Echo"))
        try channel.writeInbound(request(3, "test.Echo", "Nope"))
        let answers = try responses(channel)
        #expect(answers.map { $0.1.status?.code } == [12, 12])
        #expect(answers[0].1.status?.message.contains("test.Nope") == true)
        #expect(answers[1].1.status?.message.contains("Nope") == true)
    }

    @Test func handlerErrorBecomesItsStatus() throws {
        let channel = try makeChannel()
        try channel.writeInbound(request(1, "test.Echo", "Fail"))
        let answer = try responses(channel)[0].1
        #expect(answer.status == RPCStatus(code: 5, message: "nothing here"))
    }

    @Test func malformedEnvelopeGetsInvalidArgument() throws {
        let channel = try makeChannel()
        var buffer = ByteBuffer()
        buffer.writeFrame(streamID: 1, type: .request) { $0.writeBytes([0xFF, 0xFF, 0xFF]) }
        try channel.writeInbound(buffer)
        try channel.writeInbound(request(3, "test.Echo", "Echo", [1]))
        let answers = try responses(channel)
        #expect(answers[0].1.status?.code == StatusCode.invalidArgument.rawValue)
        #expect(answers[1].1.payload == [1])
    }

    /// As containerd's server: frames of other types are skipped (their length
    /// still frames them), and the connection goes on.
    @Test func unknownFrameTypesAreIgnoredAndTheConnectionLives() throws {
        let channel = try makeChannel()
        var buffer = ByteBuffer()
        for type: UInt8 in [0, 2, 9, 255] {
            buffer.writeFrame(streamID: 1, type: FrameType(rawValue: type)) { $0.writeBytes([1, 2, 3]) }
        }
        try channel.writeInbound(buffer)
        try channel.writeInbound(request(3, "test.Echo", "Echo", [4]))
        let answers = try responses(channel)
        #expect(answers.map(\.0.streamID) == [3])
        #expect(channel.isActive)
    }

    @Test func dataFrameOnNoStreamIsIgnored() throws {
        let channel = try makeChannel()
        var buffer = ByteBuffer()
        buffer.writeFrame(streamID: 1, type: .data, flags: .remoteClosed) { $0.writeBytes([1]) }
        try channel.writeInbound(buffer)
        try channel.writeInbound(request(3, "test.Echo", "Echo", [2]))
        let answers = try responses(channel)
        #expect(answers.map(\.0.streamID) == [3])
        #expect(channel.isActive)
    }
}
