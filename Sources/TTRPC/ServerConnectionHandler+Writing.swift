import NIOCore

// Writing: answers collect in one buffer that is flushed once per read burst
// or event-loop tick, so a batch of responses costs one syscall; server
// streams wait while the socket cannot take more.
extension ServerConnectionHandler {
    func writeResponse(streamID: UInt32, payload: [UInt8]) {
        let response = TTRPCResponse(payload: payload)
        outbound.writeFrame(streamID: streamID, type: .response) { response.encode(into: &$0) }
        scheduleFlush()
    }

    func writeStatus(streamID: UInt32, _ error: RPCError) {
        let response = TTRPCResponse(status: error.status)
        outbound.writeFrame(streamID: streamID, type: .response) { response.encode(into: &$0) }
        scheduleFlush()
    }

    /// Within a read burst the flush happens at its end; otherwise once at the
    /// end of this event-loop tick, so responses finishing together share it.
    private func scheduleFlush() {
        guard machine.answerWritten() else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = loopBound.value
            handler.machine.scheduledFlushRuns()
            handler.flush()
        }
    }

    func flush() {
        guard outbound.readableBytes > 0 else { return }
        let ready = outbound
        outbound = context.channel.allocator.buffer(capacity: max(4096, ready.readableBytes))
        context.writeAndFlush(wrapOutboundOut(ready), promise: nil)
    }

    // MARK: Server streams

    func makeSink(streamID: UInt32) -> StreamSink {
        let eventLoop = context.eventLoop
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        return StreamSink { payload in
            try await eventLoop.flatSubmit {
                loopBound.value.sendData(streamID: streamID, payload)
            }.get()
        }
    }

    /// Queues one data frame; the returned future waits while the socket is full.
    private func sendData(streamID: UInt32, _ payload: [UInt8]) -> EventLoopFuture<Void> {
        guard machine.isInFlight(streamID: streamID), context.channel.isActive else {
            return context.eventLoop.makeFailedFuture(CancellationError())
        }
        outbound.writeFrame(streamID: streamID, type: .data) { $0.writeBytes(payload) }
        scheduleFlush()
        if context.channel.isWritable { return context.eventLoop.makeSucceededVoidFuture() }
        let promise = context.eventLoop.makePromise(of: Void.self)
        writabilityWaiters.append(promise)
        return promise.futureResult
    }

    func failWritabilityWaiters() {
        let waiters = writabilityWaiters
        writabilityWaiters.removeAll()
        for waiter in waiters { waiter.fail(CancellationError()) }
    }
}
