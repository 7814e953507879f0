import NIOCore

// Dispatch: from a request frame to its route's handler, and from the
// handler's answer (or its deadline) back to a response.
extension ServerConnectionHandler {
    func handleRequest(_ header: FrameHeader, _ data: ByteBuffer) {
        let streamID = header.streamID
        // Checked in containerd's order: the envelope, then the stream id.
        let request: TTRPCRequest
        do {
            request = try TTRPCRequest(protobufBytes: data)
        } catch {
            writeStatus(streamID: streamID, RPCError(.invalidArgument, "unmarshal request error: \(error)"))
            return
        }
        if let refusal = machine.admit(streamID: streamID) {
            writeStatus(streamID: streamID, refusal)
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
            callContext.logger.debug(
                "call", metadata: ["method": "\(request.service)/\(request.method)", "stream": "\(streamID)"])
        }
        guard deadline > now else {
            writeStatus(streamID: streamID, RPCError(.deadlineExceeded, "deadline exceeded before the call started"))
            return
        }

        var rest: (@Sendable () async throws -> [UInt8])?
        if let fastPath = route.handler.fastPath {
            do {
                switch try fastPath(request.payload, callContext) {
                case .answered(let answer):
                    writeResponse(streamID: streamID, payload: answer)
                    route.metrics.record(nanos: Self.nanos(since: now), failed: false)
                    return
                case .runBody:
                    break
                case .continueWith(let carried):
                    rest = carried
                }
            } catch {
                writeStatus(streamID: streamID, router.errorMapper(error, callContext))
                route.metrics.record(nanos: Self.nanos(since: now), failed: true)
                return
            }
        }
        let executor = route.handler.placement == .eventLoop ? taskExecutor : nil
        switch route.handler.body {
        case .unary(let body):
            if let rest {
                start(streamID, callContext, route.metrics, now, on: executor) { try await rest() }
            } else {
                start(streamID, callContext, route.metrics, now, on: executor) { try await body(request.payload, callContext) }
            }
        case .serverStreaming(let body):
            let sink = makeSink(streamID: streamID)
            start(streamID, callContext, route.metrics, now, on: executor) {
                try await body(request.payload, callContext, sink)
                return nil
            }
        }
    }

    /// Runs `work` as a task (preferring `executor`, when given: the
    /// method's placement) with the call's deadline armed; what it throws is
    /// mapped to a status there.
    private func start(
        _ streamID: UInt32, _ callContext: CallContext, _ metrics: MethodMetrics, _ started: NIODeadline,
        on executor: EventLoopTaskExecutor?, _ work: @escaping @Sendable () async throws -> [UInt8]?
    ) {
        let wake = wakeInbox!
        let inbox = self.inbox
        let errorMapper = router.errorMapper
        let polling = self.polling
        polling.callStarted()
        executor?.callStarted()
        let task = Task(executorPreference: executor) {
            let result: Result<[UInt8]?, RPCError>
            do {
                result = .success(try await work())
            } catch {
                result = .failure(errorMapper(error, callContext))
            }
            executor?.callEnded()
            polling.callEnded()
            if inbox.put(Completion(streamID: streamID, result: result)) { wake() }
        }
        let call = ActiveCall(task: task, metrics: metrics, started: started)
        let deadline = callContext.deadline.uptimeNanoseconds
        if let armAt = machine.callStarted(streamID: streamID, deadline: deadline, call: call) {
            armDeadlineTimer(at: armAt)
        }
    }

    func drainInbox() {
        // This ends: only calls in flight drop here, and none starts while it runs.
        _ = inbox.drain { finish($0.streamID, $0.result) }
    }

    private func finish(_ streamID: UInt32, _ result: Result<[UInt8]?, RPCError>) {
        // Gone already when its deadline answered it, or the connection closed.
        guard let call = machine.callFinished(streamID: streamID) else { return }
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

    // MARK: Deadlines

    /// Replaces the deadline timer with one at `uptimeNanoseconds`.
    private func armDeadlineTimer(at uptimeNanoseconds: UInt64) {
        deadlineTimer?.cancel()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        deadlineTimer = context.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(uptimeNanoseconds)) {
            loopBound.value.expireOverdueCalls()
        }
    }

    /// Answers every call past its deadline, then re-arms for the next one.
    private func expireOverdueCalls() {
        deadlineTimer = nil
        let (expired, rearmAt) = machine.deadlineTimerFired(now: NIODeadline.now().uptimeNanoseconds)
        if let rearmAt { armDeadlineTimer(at: rearmAt) }
        for (streamID, call) in expired {
            // Cancelled work that has not committed stops at its next check.
            call.task.cancel()
            writeStatus(streamID: streamID, RPCError(.deadlineExceeded, "deadline exceeded"))
            call.metrics.record(nanos: Self.nanos(since: call.started), failed: true)
        }
        if !expired.isEmpty { callEnded() }
    }

    private static func nanos(since start: NIODeadline) -> UInt64 {
        UInt64(max(0, (NIODeadline.now() - start).nanoseconds))
    }
}
