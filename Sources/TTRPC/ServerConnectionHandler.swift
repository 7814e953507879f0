import Logging
import NIOCore

/// Serves the calls of one connection: the I/O of it. What the connection
/// may do next (take a call, read, drain, close) is `ConnectionStateMachine`'s
/// to decide; this handler tells it what happened and does what it answers.
///
/// Runs on the connection's event loop and splits frames itself (no separate
/// decoder handler), so a frame costs no pipeline hop or boxing. Calls are
/// dispatched in `+Dispatch`; answers are written and flushed in `+Writing`.
final class ServerConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let router: Router
    let limits: ServerLimits
    var logger: Logger
    var machine: ConnectionStateMachine<ActiveCall>

    var context: ChannelHandlerContext!
    private var decoder: FrameDecoder
    /// Bytes read but not yet split into frames.
    private var received = ByteBuffer()
    var peer: PeerCredentials?
    var connectionID: UInt64 = 0
    /// Answers not yet flushed.
    var outbound = ByteBuffer()
    private var idleCheck: RepeatedTask?
    /// The one timer for the earliest deadline in flight (not one per call:
    /// scheduling and cancelling each cost more than the call).
    var deadlineTimer: Scheduled<Void>?
    /// Server streams waiting for the socket to take more.
    var writabilityWaiters: [EventLoopPromise<Void>] = []

    /// What the handler keeps per call in flight.
    struct ActiveCall {
        let task: Task<Void, Never>
        let metrics: MethodMetrics
        let started: NIODeadline
    }

    /// A finished call's answer, dropped by its task for the event loop.
    struct Completion: Sendable {
        var streamID: UInt32
        var result: Result<[UInt8]?, RPCError>
    }

    /// Where tasks drop finished calls for the event loop.
    let inbox = LoopInbox<Completion>()
    /// What the first completion after a drain calls: the next drain, on
    /// the event loop. Made once per connection, not per call.
    var wakeInbox: (@Sendable () -> Void)!
    /// Where the tasks of `.eventLoop` methods run: this connection's loop.
    var taskExecutor: EventLoopTaskExecutor!
    /// The server's count of calls in flight, shared by its connections:
    /// a loop polls for an answer only when there is one (`LoopPolling`).
    let polling: LoopPolling

    init(router: Router, limits: ServerLimits, polling: LoopPolling, logger: Logger) {
        self.router = router
        self.limits = limits
        self.polling = polling
        self.logger = logger
        self.machine = ConnectionStateMachine(
            maxCallsInFlight: limits.maxCallsInFlight, maxConnections: limits.maxConnections)
        self.decoder = FrameDecoder(maxDataSize: limits.maxDataSize)
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        self.outbound = context.channel.allocator.buffer(capacity: 4096)
        let eventLoop = context.eventLoop
        let loopBound = NIOLoopBound(self, eventLoop: eventLoop)
        wakeInbox = { eventLoop.execute { loopBound.value.drainInbox() } }
        taskExecutor = EventLoopTaskExecutor(eventLoop, polling: polling)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // The waker holds the handler; tasks still running keep their own copy.
        wakeInbox = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let open = router.metrics.connectionOpened()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        switch machine.channelActive(openConnections: open) {
        case .refuse:
            logger.warning("refusing connection: \(open - 1) open, limit \(limits.maxConnections)")
            // A client that sends nothing is closed all the same.
            context.eventLoop.scheduleTask(in: .seconds(1)) { loopBound.value.closeRefused() }
        case .serve:
            if let idleTimeout = limits.idleTimeout {
                let checks = Int64(ConnectionStateMachine<ActiveCall>.idleChecksPerTimeout)
                let period = TimeAmount.nanoseconds(max(1, idleTimeout.nanoseconds / checks))
                idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: period, delay: period) { _ in
                    loopBound.value.checkIdle()
                }
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
        for call in machine.channelInactive() { call.task.cancel() }
        deadlineTimer?.cancel()
        deadlineTimer = nil
        failWritabilityWaiters()
        router.metrics.connectionClosed()
        logger.debug("connection closed")
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            // Shutdown: finish what is in flight, refuse the rest, then close.
            machine.quiesce()
            closeIfDrained()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        machine.channelRead()
        var incoming = unwrapInboundIn(data)
        if received.readableBytes == 0 {
            received = incoming
        } else {
            received.writeBuffer(&incoming)
        }
        handleReceivedFrames()
    }

    /// Serves the frames read so far while the connection may take calls: at
    /// its limit the rest wait, unparsed, until calls finish (back-pressure,
    /// DESIGN.md §4), and no more is read meanwhile.
    private func handleReceivedFrames() {
        do {
            while context.channel.isActive, machine.mayStartCall, let frame = try decoder.decode(buffer: &received) {
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
        switch machine.channelReadComplete() {
        case .closeRefused:
            closeRefused()
        case .flush:
            flush()
            context.fireChannelReadComplete()
        }
    }

    func read(context: ChannelHandlerContext) {
        if machine.readRequested(isWritable: context.channel.isWritable) {
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

    /// A call ended or the socket drained: frames that waited for a free slot
    /// go first, then reading resumes if it was held.
    private func resumeReadingIfHeld() {
        guard machine.mayStartCall else { return }
        if received.readableBytes > 0 {
            handleReceivedFrames()
        }
        if machine.resumeReading(isWritable: context.channel.isWritable) {
            context.read()
        }
    }

    // MARK: Idleness, draining and closing

    /// After each call: its slot may let reading resume, and a draining
    /// connection closes with its last call.
    func callEnded() {
        resumeReadingIfHeld()
        closeIfDrained()
    }

    private func checkIdle() {
        guard machine.idleCheck() else { return }
        logger.debug("closing idle connection")
        idleCheck?.cancel()
        idleCheck = nil
        closeIfDrained()
    }

    /// Sends the refusal answers written so far, then closes.
    private func closeRefused() {
        guard context.channel.isActive else { return }
        machine.closeRefused()
        closeIfDrained()
    }

    private func closeIfDrained() {
        guard machine.closeIfDrained() else { return }
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
}
