import Logging
import NIOCore
import ProtoCodec

/// Serves the calls of one connection.
///
/// Runs on the connection's event loop and splits frames itself (no separate
/// decoder handler), so a frame costs no pipeline hop or boxing. Inline handlers answer right here;
/// others run as tasks and hop back only to write. Answers collect in one
/// buffer that is flushed once per read burst or event-loop tick, so a batch
/// of responses costs one syscall.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let router: Router
    private let limits: ServerLimits
    private var logger: Logger

    private var context: ChannelHandlerContext!
    private var decoder: FrameDecoder
    /// Bytes read but not yet split into frames.
    private var received = ByteBuffer()
    private var peer: PeerCredentials?
    private var connectionID: UInt64 = 0
    private var calls: [UInt32: ActiveCall] = [:]
    private var outbound: ByteBuffer
    private var inReadBurst = false
    private var flushScheduled = false
    private var readHeld = false
    private var draining = false
    /// Set when the connection is past the server's connection cap: whatever
    /// it asks in its first read gets this answer, then it is closed.
    private var refusal: RPCError?
    /// Set by every read; the idle check clears it (a store per read, no clock).
    private var sawActivity = false
    private var idleChecksPassed = 0
    private var idleCheck: RepeatedTask?
    private var writabilityWaiters: [EventLoopPromise<Void>] = []

    private struct ActiveCall {
        var task: Task<Void, Never>?
        var deadline: NIODeadline
        var metrics: MethodMetrics
        var started: NIODeadline
    }

    private let inbox = CompletionInbox()
    /// What a completion that finds the inbox empty calls: a drain on the
    /// event loop. Made once per connection, not per call.
    private var wakeInbox: (@Sendable () -> Void)!
    /// One timer per connection, armed for the earliest deadline in flight
    /// (not one per call: scheduling and cancelling each cost more than the call).
    private var deadlineTimer: (at: NIODeadline, task: Scheduled<Void>)?

    init(router: Router, limits: ServerLimits, logger: Logger) {
        self.router = router
        self.limits = limits
        self.logger = logger
        self.outbound = ByteBuffer()
        self.decoder = FrameDecoder(maxDataSize: limits.maxDataSize)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.outbound = context.channel.allocator.buffer(capacity: 4096)
        let eventLoop = context.eventLoop
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        wakeInbox = { eventLoop.execute { loopBound.value.drainInbox() } }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The waker holds the handler; tasks still running keep their own copy.
        wakeInbox = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let open = router.metrics.connectionOpened()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        if open > limits.maxConnections {
            refusal = RPCError(.unavailable, "too many connections (limit \(limits.maxConnections)); try again later")
            logger.warning("refusing connection: \(open - 1) open, limit \(limits.maxConnections)")
            // A client that sends nothing is closed all the same.
            context.eventLoop.scheduleTask(in: .seconds(1)) { loopBound.value.closeRefused() }
        } else if let idleTimeout = limits.idleTimeout {
            // Checked four times per timeout: closed after 1 to 1.25 timeouts of idleness.
            let period = TimeAmount.nanoseconds(max(1, idleTimeout.nanoseconds / Self.idleChecksPerTimeout))
            idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
                loopBound.value.checkIdle()
            }
        }
        connectionID = ConnectionNumbers.next()
        logger[metadataKey: "connection"] = "\(connectionID)"
        PeerCredentials.read(from: context.channel).whenSuccess { peer in
            let handler = loopBound.value
            handler.peer = peer
            if let peer {
                handler.logger[metadataKey: "peer-pid"] = "\(peer.pid)"
                handler.logger[metadataKey: "peer-uid"] = "\(peer.uid)"
                handler.logger[metadataKey: "peer-gid"] = "\(peer.gid)"
            }
            // Once per connection, at info: who connected, as the kernel vouches.
            handler.logger.info("connection accepted")
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        for call in calls.values { call.task?.cancel() }
        deadlineTimer?.task.cancel()
        deadlineTimer = nil
        calls.removeAll()
        failWritabilityWaiters()
        router.metrics.connectionClosed()
        logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Shutdown: finish what is in flight, refuse the rest, then close.
            draining = true
            closeIfDrained()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        inReadBurst = true
        sawActivity = true
        var incoming = unwrapInboundIn(data)
        if received.readableBytes == 0 {
            received = incoming
        } else {
            received.writeBuffer(&incoming)
        }
        handleReceivedFrames()
    }

    /// Serves the frames read so far, stopping while the connection has its
    /// limit of calls in flight: the rest wait, unparsed, until calls finish
    /// (back-pressure, DESIGN.md §4), and no more is read meanwhile.
    private func handleReceivedFrames() {
        do {
            while context.channel.isActive, calls.count < limits.maxCallsInFlight,
                let frame = try decoder.decode(buffer: &received)
            {
                handle(frame)
            }
        } catch {
            context.close(promise: nil)
        }
        // Keep the unread tail small: drop consumed bytes once they dominate.
        if received.readerIndex > 64 * 1024, received.readerIndex > received.readableBytes {
            received.discardReadBytes()
        }
    }

    private func handle(_ frame: Frame) {
        switch frame {
        case .message(let header, let data):
            switch header.type {
            case .request:
                handleRequest(header, data)
            case .data:
                // No method takes client-stream data; a data frame for an unknown
                // or unary stream has nothing to do (containerd ignores it too).
                logger.debug("ignored data frame", metadata: ["stream": "\(header.streamID)"])
            default:
                // Ignored, as containerd's server does ("for future compat"):
                // the length still framed it, so the stream stays in sync.
                logger.debug("ignored frame", metadata: ["type": "\(header.type)", "stream": "\(header.streamID)"])
            }
        case .oversized(let header):
            writeStatus(
                streamID: header.streamID,
                RPCError(
                    .resourceExhausted,
                    "message length \(header.length) exceed maximum message size of \(limits.maxDataSize)"))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        inReadBurst = false
        if refusal != nil {
            closeRefused()
            return
        }
        flush()
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        // Back-pressure: a connection with its limit of calls in flight, or
        // that does not read its answers, is not read from until that changes.
        if calls.count >= limits.maxCallsInFlight || !context.channel.isWritable {
            readHeld = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            let waiters = writabilityWaiters
            writabilityWaiters.removeAll()
            for waiter in waiters { waiter.succeed() }
            resumeReadingIfHeld()
        }
        context.fireChannelWritabilityChanged()
    }

    private func resumeReadingIfHeld() {
        guard calls.count < limits.maxCallsInFlight else { return }
        if received.readableBytes > 0 {
            // Frames that waited for a free slot go first.
            handleReceivedFrames()
        }
        guard readHeld, calls.count < limits.maxCallsInFlight, context.channel.isWritable else { return }
        readHeld = false
        context.read()
    }

    // MARK: Calls

    private func handleRequest(_ header: FrameHeader, _ data: ByteBuffer) {
        let streamID = header.streamID
        // Checked in containerd's order: the envelope, then the stream id.
        let request: TTRPCRequest
        do {
            request = try TTRPCRequest(protobufBytes: data)
        } catch {
            writeStatus(streamID: streamID, RPCError(.invalidArgument, "unmarshal request error: \(error)"))
            return
        }
        guard streamID & 1 == 1 else {
            writeStatus(streamID: streamID, RPCError(.invalidArgument, "StreamID must be odd for client initiated streams"))
            return
        }
        guard calls[streamID] == nil else {
            writeStatus(streamID: streamID, RPCError(.invalidArgument, "stream \(streamID) is already in use"))
            return
        }
        if draining || refusal != nil {
            writeStatus(streamID: streamID, refusal ?? RPCError(.unavailable, "server is shutting down"))
            return
        }
        let route: Router.Route
        switch router.lookup(service: request.service, method: request.method) {
        case .success(let found): route = found
        case .failure(let error):
            writeStatus(streamID: streamID, error)
            return
        }

        let now = NIODeadline.now()
        let deadline = request.timeoutNano > 0 ? now + .nanoseconds(request.timeoutNano) : now + limits.defaultTimeout
        let callContext = CallContext(
            service: request.service, method: request.method, streamID: streamID, metadata: Metadata(request.metadata),
            deadline: deadline, peer: peer, logger: logger, connectionID: connectionID)
        // Per call only at debug: the request id's logger is built just then.
        if logger.logLevel <= .debug {
            callContext.logger.debug("call", metadata: ["method": "\(request.service)/\(request.method)", "stream": "\(streamID)"])
        }
        guard deadline > now else {
            writeStatus(streamID: streamID, RPCError(.deadlineExceeded, "deadline exceeded before the call started"))
            return
        }

        if let fastPath = route.handler.fastPath {
            do {
                if let answer = try fastPath(request.payload, callContext) {
                    writeResponse(streamID: streamID, payload: answer)
                    route.metrics.record(nanos: Self.nanos(since: now), failed: false)
                    return
                }
            } catch {
                writeStatus(streamID: streamID, router.errorMapper(error, callContext))
                route.metrics.record(nanos: Self.nanos(since: now), failed: true)
                return
            }
        }
        switch route.handler.body {
        case .unary(let body):
            start(streamID, callContext, route.metrics, now) { try await body(request.payload, callContext) }
        case .serverStreaming(let body):
            let sink = makeSink(streamID: streamID)
            start(streamID, callContext, route.metrics, now) {
                try await body(request.payload, callContext, sink)
                return nil
            }
        }
    }

    /// Runs `work` as a task with the call's deadline armed; what it throws is
    /// mapped to a status there.
    private func start(
        _ streamID: UInt32, _ callContext: CallContext, _ metrics: MethodMetrics, _ started: NIODeadline,
        _ work: @escaping @Sendable () async throws -> [UInt8]?
    ) {
        let wake = wakeInbox!
        let inbox = self.inbox
        let errorMapper = router.errorMapper
        var call = ActiveCall(deadline: callContext.deadline, metrics: metrics, started: started)
        call.task = Task {
            let result: Result<[UInt8]?, RPCError>
            do {
                result = .success(try await work())
            } catch {
                result = .failure(errorMapper(error, callContext))
            }
            if inbox.put(.init(streamID: streamID, outcome: .ready(result))) { wake() }
        }
        calls[streamID] = call
        armDeadlineTimer(for: callContext.deadline)
    }

    private func drainInbox() {
        for completion in inbox.takeAll() {
            finish(completion.streamID, completion.outcome.result)
        }
    }

    private func finish(_ streamID: UInt32, _ result: Result<[UInt8]?, RPCError>) {
        // Gone already when its deadline answered it, or the connection closed.
        guard let call = calls.removeValue(forKey: streamID) else { return }
        let failed: Bool
        switch result {
        case .success(let payload):
            writeResponse(streamID: streamID, payload: payload ?? [])
            failed = false
        case .failure(let error):
            writeStatus(streamID: streamID, error)
            failed = true
        }
        call.metrics.record(nanos: Self.nanos(since: call.started), failed: failed)
        callEnded()
    }

    private func armDeadlineTimer(for deadline: NIODeadline) {
        if let timer = deadlineTimer {
            guard deadline < timer.at else { return }
            timer.task.cancel()
        }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadlineTimer = (deadline, context.eventLoop.scheduleTask(deadline: deadline) {
            loopBound.value.expireOverdueCalls()
        })
    }

    /// Answers every call past its deadline, then re-arms for the next one.
    private func expireOverdueCalls() {
        deadlineTimer = nil
        let now = NIODeadline.now()
        var next: NIODeadline?
        for (streamID, call) in calls {
            if call.deadline <= now {
                expire(streamID)
            } else if next.map({ call.deadline < $0 }) ?? true {
                next = call.deadline
            }
        }
        if let next { armDeadlineTimer(for: next) }
    }

    private func expire(_ streamID: UInt32) {
        guard let call = calls.removeValue(forKey: streamID) else { return }
        // Cancelled work that has not committed stops at its next check.
        call.task?.cancel()
        writeStatus(streamID: streamID, RPCError(.deadlineExceeded, "deadline exceeded"))
        call.metrics.record(nanos: Self.nanos(since: call.started), failed: true)
        callEnded()
    }

    private static func nanos(since start: NIODeadline) -> UInt64 {
        UInt64(max(0, (NIODeadline.now() - start).nanoseconds))
    }

    private func callEnded() {
        resumeReadingIfHeld()
        closeIfDrained()
    }

    private static let idleChecksPerTimeout: Int64 = 4

    /// Closes the connection when nothing was read and no call was in flight
    /// for a whole idle timeout.
    private func checkIdle() {
        if sawActivity || !calls.isEmpty {
            sawActivity = false
            idleChecksPassed = 0
            return
        }
        idleChecksPassed += 1
        if idleChecksPassed >= Int(Self.idleChecksPerTimeout) {
            logger.debug("closing idle connection")
            idleCheck?.cancel()
            idleCheck = nil
            draining = true
            closeIfDrained()
        }
    }

    /// Sends the refusal answers written so far, then closes.
    private func closeRefused() {
        guard context.channel.isActive else { return }
        draining = true
        closeIfDrained()
    }

    private func closeIfDrained() {
        guard draining, calls.isEmpty else { return }
        let context = self.context!
        guard outbound.readableBytes > 0 else {
            context.close(promise: nil)
            return
        }
        let ready = outbound
        outbound.clear()
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(ready)).whenComplete { _ in loopBound.value.close(promise: nil) }
    }

    // MARK: Server streams

    private func makeSink(streamID: UInt32) -> StreamSink {
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
        guard calls[streamID] != nil, context.channel.isActive else {
            return context.eventLoop.makeFailedFuture(CancellationError())
        }
        outbound.writeFrame(streamID: streamID, type: .data) { $0.writeBytes(payload) }
        scheduleFlush()
        if context.channel.isWritable { return context.eventLoop.makeSucceededVoidFuture() }
        let promise = context.eventLoop.makePromise(of: Void.self)
        writabilityWaiters.append(promise)
        return promise.futureResult
    }

    private func failWritabilityWaiters() {
        let waiters = writabilityWaiters
        writabilityWaiters.removeAll()
        for waiter in waiters { waiter.fail(CancellationError()) }
    }

    // MARK: Writing

    private func writeResponse(streamID: UInt32, payload: [UInt8]) {
        let response = TTRPCResponse(payload: payload)
        outbound.writeFrame(streamID: streamID, type: .response) { response.encode(into: &$0) }
        scheduleFlush()
    }

    private func writeStatus(streamID: UInt32, _ error: RPCError) {
        let response = TTRPCResponse(status: error.status)
        outbound.writeFrame(streamID: streamID, type: .response) { response.encode(into: &$0) }
        scheduleFlush()
    }

    /// Within a read burst the flush happens at its end; otherwise once at the
    /// end of this event-loop tick, so responses finishing together share it.
    private func scheduleFlush() {
        guard !inReadBurst, !flushScheduled else { return }
        flushScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = loopBound.value
            handler.flushScheduled = false
            handler.flush()
        }
    }

    private func flush() {
        guard outbound.readableBytes > 0 else { return }
        let ready = outbound
        outbound = context.channel.allocator.buffer(capacity: max(4096, ready.readableBytes))
        context.writeAndFlush(wrapOutboundOut(ready), promise: nil)
    }
}
