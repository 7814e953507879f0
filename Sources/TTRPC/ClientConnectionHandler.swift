import NIOCore
import ProtoCodec

/// One outgoing call, as handed to the connection.
struct OutgoingCall {
    enum Reply {
        case unary(EventLoopPromise<TTRPCResponse>)
        case stream(AsyncThrowingStream<[UInt8], any Error>.Continuation)
        /// Called on the event loop: for load generators that issue the next call from there.
        case callback((Result<TTRPCResponse, any Error>) -> Void)
    }

    var request: TTRPCRequest
    var reply: Reply
    var flags: FrameFlags = []
}

/// The client side of one connection: assigns odd stream ids, writes requests
/// (coalesced per event-loop tick), and routes each response to its caller.
final class ClientConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = Frame
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var nextStreamID: UInt32 = 1
    private var pending: [UInt32: OutgoingCall.Reply] = [:]
    private var outbound = ByteBuffer()
    private var flushScheduled = false
    private var closedError: (any Error)?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound = context.channel.allocator.buffer(capacity: 4096)
    }

    /// Sends the call; the reply arrives through the call's promise or continuation.
    /// Returns the stream id so a caller can abandon it.
    @discardableResult
    func send(_ call: OutgoingCall) -> UInt32? {
        guard let context, closedError == nil else {
            fail(call.reply, closedError ?? RPCError(.unavailable, "connection closed"))
            return nil
        }
        let streamID = nextStreamID
        nextStreamID &+= 2
        pending[streamID] = call.reply
        outbound.writeFrame(streamID: streamID, type: .request, flags: call.flags) {
            call.request.encode(into: &$0)
        }
        if !flushScheduled {
            flushScheduled = true
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            context.eventLoop.execute { loopBound.value.flush() }
        }
        return streamID
    }

    /// Forgets a call whose caller stopped waiting (its deadline passed).
    func abandon(_ streamID: UInt32, with error: any Error) {
        guard let reply = pending.removeValue(forKey: streamID) else { return }
        fail(reply, error)
    }

    private func flush() {
        flushScheduled = false
        guard let context, outbound.readableBytes > 0 else { return }
        let ready = outbound
        outbound = context.channel.allocator.buffer(capacity: max(4096, ready.readableBytes))
        context.writeAndFlush(NIOAny(ready), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .message(let header, let data) = unwrapInboundIn(data) else {
            context.close(promise: nil)  // the server never sends over-size frames
            return
        }
        switch header.type {
        case .response:
            guard let reply = pending.removeValue(forKey: header.streamID) else { return }
            do {
                let response = try TTRPCResponse(protobufBytes: data)
                switch reply {
                case .unary(let promise):
                    promise.succeed(response)
                case .callback(let done):
                    done(.success(response))
                case .stream(let continuation):
                    if let status = response.status, status.code != 0 {
                        continuation.finish(throwing: RPCError(status: status))
                    } else {
                        continuation.finish()
                    }
                }
            } catch {
                fail(reply, RPCError(.internal, "malformed response: \(error)"))
            }
        case .data:
            guard case .stream(let continuation) = pending[header.streamID] else { return }
            if !header.flags.contains(.noData) {
                continuation.yield(Array(buffer: data))
            }
            if header.flags.contains(.remoteClosed) {
                pending[header.streamID] = nil
                continuation.finish()
            }
        default:
            break
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closedError = RPCError(.unavailable, "connection closed")
        let replies = pending.values
        pending.removeAll()
        for reply in replies { fail(reply, closedError!) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func fail(_ reply: OutgoingCall.Reply, _ error: any Error) {
        switch reply {
        case .unary(let promise): promise.fail(error)
        case .stream(let continuation): continuation.finish(throwing: error)
        case .callback(let done): done(.failure(error))
        }
    }
}
