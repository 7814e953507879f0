import NIOCore
import ProtoCodec

/// The untyped outlet of a server stream: each call sends one data frame.
/// Waits while the socket cannot take more, so a slow reader holds the sender
/// back instead of growing the daemon's memory.
public struct StreamSink: Sendable {
    let sendData: @Sendable ([UInt8]) async throws -> Void

    public init(_ sendData: @escaping @Sendable ([UInt8]) async throws -> Void) {
        self.sendData = sendData
    }

    public func send(_ payload: [UInt8]) async throws {
        try await sendData(payload)
    }
}

/// Sends typed messages on a server stream.
public struct StreamWriter<Message: ProtoMessage>: Sendable {
    let sink: StreamSink

    public init(sink: StreamSink) {
        self.sink = sink
    }

    public func send(_ message: Message) async throws {
        try await sink.send(message.encoded())
    }
}
