/// The states of one server connection and what moves it between them, with
/// no I/O: `ServerConnectionHandler` reports what happened and carries out
/// what the machine answers (swift-nio's `…StateMachine` pattern), so every
/// rule below is tested without a channel.
///
/// ```
/// active ──quiesce, or idle for a whole timeout──▶ draining ──no call left──▶ closed
/// refusing (past the connection cap) ──first read ends, or 1 s──▶ draining
/// ```
///
/// Within a state, calls in flight count against `maxCallsInFlight`: at the
/// limit, or while the socket takes no more, reading is held (back-pressure)
/// until a call ends or the socket drains. Each call has a deadline; one
/// timer, at the earliest, answers the calls past theirs. Answers written
/// during a read burst are flushed at its end, others once per event-loop tick.
///
/// `Call` is what the handler keeps per call (its task, its metrics);
/// instants are uptime nanoseconds (`NIODeadline.uptimeNanoseconds`).
struct ConnectionStateMachine<Call> {
    enum State: Equatable {
        /// Serving calls.
        case active
        /// Past the server's connection cap: every request is answered
        /// `refusal`, and the connection closes after its first read.
        case refusing(refusal: RPCError)
        /// Finishing the calls in flight; new ones are answered `refusal`.
        /// Closes when none is left.
        case draining(refusal: RPCError)
        /// Closing or closed; a request still read is answered `refusal`.
        case closed(refusal: RPCError)
    }

    /// The answer to calls that arrive while the connection drains.
    static var shuttingDown: RPCError { RPCError(.unavailable, "server is shutting down") }

    /// Idle checks per idle timeout: a connection is closed after 1 to 1.25
    /// timeouts of idleness, with no clock read per frame.
    static var idleChecksPerTimeout: Int { 4 }

    let maxCallsInFlight: Int
    let maxConnections: Int

    private(set) var state = State.active
    private var calls: [UInt32: InFlight] = [:]
    /// Reading stopped for back-pressure; resumed when a call ends or the socket drains.
    private var readHeld = false
    private var inReadBurst = false
    private var flushScheduled = false
    /// Set by every read; the idle check clears it.
    private var sawActivity = false
    private var quietIdleChecks = 0
    /// When the one deadline timer is armed to fire; nil when it is not.
    private(set) var deadlineTimer: UInt64?

    private struct InFlight {
        var deadline: UInt64
        var call: Call
    }

    init(maxCallsInFlight: Int, maxConnections: Int) {
        self.maxCallsInFlight = maxCallsInFlight
        self.maxConnections = maxConnections
    }

    var callsInFlight: Int { calls.count }

    // MARK: Opening

    enum OpenAction: Equatable {
        /// Serve; check for idleness if the server has an idle timeout.
        case serve
        /// Past the cap: log, and close within a second even if the client sends nothing.
        case refuse(RPCError)
    }

    /// The connection is up; `openConnections` counts it too.
    mutating func channelActive(openConnections: Int) -> OpenAction {
        guard case .active = state, openConnections > maxConnections else { return .serve }
        let refusal = RPCError(.unavailable, "too many connections (limit \(maxConnections)); try again later")
        state = .refusing(refusal: refusal)
        return .refuse(refusal)
    }

    // MARK: Reading

    /// Bytes arrived: the connection is busy, and answers wait for the burst's end to be flushed.
    mutating func channelRead() {
        inReadBurst = true
        sawActivity = true
    }

    enum ReadCompleteAction: Equatable {
        /// Flush the answers of the burst.
        case flush
        /// A refused connection has been answered: drain it (`closeRefused`).
        case closeRefused
    }

    mutating func channelReadComplete() -> ReadCompleteAction {
        inReadBurst = false
        if case .refusing = state { return .closeRefused }
        return .flush
    }

    /// Whether another request may be taken off the buffered bytes now. At
    /// the limit the rest wait, unparsed, until a call ends.
    var mayStartCall: Bool { calls.count < maxCallsInFlight }

    /// The channel asks for more bytes: true to read now; false holds reading
    /// (at the limit of calls, or while the socket is not writable).
    mutating func readRequested(isWritable: Bool) -> Bool {
        if !mayStartCall || !isWritable {
            readHeld = true
            return false
        }
        return true
    }

    /// A call ended or the socket drained: true when reading was held and may resume now.
    mutating func resumeReading(isWritable: Bool) -> Bool {
        guard readHeld, mayStartCall, isWritable else { return false }
        readHeld = false
        return true
    }

    // MARK: Calls

    /// Whether a request on `streamID` may start, checked in containerd's
    /// order (after its envelope decoded): nil, or the error to answer with.
    func admit(streamID: UInt32) -> RPCError? {
        guard streamID & 1 == 1 else {
            return RPCError(.invalidArgument, "StreamID must be odd for client initiated streams")
        }
        guard calls[streamID] == nil else {
            return RPCError(.invalidArgument, "stream \(streamID) is already in use")
        }
        switch state {
        case .active: return nil
        case .refusing(let refusal), .draining(let refusal), .closed(let refusal): return refusal
        }
    }

    /// A call is in flight until `callFinished` or its deadline. Returns when
    /// to arm the deadline timer (replacing the armed one), or nil to leave it.
    mutating func callStarted(streamID: UInt32, deadline: UInt64, call: Call) -> UInt64? {
        calls[streamID] = InFlight(deadline: deadline, call: call)
        if let armed = deadlineTimer, armed <= deadline { return nil }
        deadlineTimer = deadline
        return deadline
    }

    func isInFlight(streamID: UInt32) -> Bool { calls[streamID] != nil }

    /// The call's answer is ready: returns what was kept for it, or nil when
    /// it is gone already (answered at its deadline, or the connection closed).
    mutating func callFinished(streamID: UInt32) -> Call? {
        calls.removeValue(forKey: streamID)?.call
    }

    /// The deadline timer fired at `now`: the calls past their deadline (no
    /// longer in flight; answer them DEADLINE_EXCEEDED), by stream, and when
    /// to arm the timer next (for the earliest deadline left), if at all.
    mutating func deadlineTimerFired(now: UInt64) -> (expired: [(streamID: UInt32, call: Call)], rearmAt: UInt64?) {
        var expired: [(streamID: UInt32, call: Call)] = []
        var next: UInt64?
        for (streamID, inFlight) in calls {
            if inFlight.deadline <= now {
                expired.append((streamID, inFlight.call))
            } else if next.map({ inFlight.deadline < $0 }) ?? true {
                next = inFlight.deadline
            }
        }
        for (streamID, _) in expired { calls[streamID] = nil }
        deadlineTimer = next
        return (expired.sorted { $0.streamID < $1.streamID }, next)
    }

    // MARK: Idleness

    /// The periodic idle check: true when nothing was read and no call was in
    /// flight for `idleChecksPerTimeout` checks in a row. The connection then
    /// drains (stop checking; `closeIfDrained`).
    mutating func idleCheck() -> Bool {
        if sawActivity || !calls.isEmpty {
            sawActivity = false
            quietIdleChecks = 0
            return false
        }
        quietIdleChecks += 1
        // Only a serving connection is closed for idleness: any other is closing already.
        guard quietIdleChecks >= Self.idleChecksPerTimeout, case .active = state else { return false }
        startDraining()
        return true
    }

    // MARK: Draining and closing

    /// The server shuts down: finish what is in flight, refuse the rest, then close.
    mutating func quiesce() {
        startDraining()
    }

    /// A refused connection was answered (or waited a second): close it.
    mutating func closeRefused() {
        startDraining()
    }

    private mutating func startDraining() {
        switch state {
        case .active: state = .draining(refusal: Self.shuttingDown)
        case .refusing(let refusal): state = .draining(refusal: refusal)
        case .draining, .closed: break
        }
    }

    /// True once draining with no call left: flush what is written and close;
    /// the connection is closed from then on.
    mutating func closeIfDrained() -> Bool {
        guard case .draining(let refusal) = state, calls.isEmpty else { return false }
        state = .closed(refusal: refusal)
        return true
    }

    /// The channel closed: what was kept for the calls still in flight (cancel them).
    mutating func channelInactive() -> [Call] {
        switch state {
        case .active: state = .closed(refusal: Self.shuttingDown)
        case .refusing(let refusal), .draining(let refusal): state = .closed(refusal: refusal)
        case .closed: break
        }
        let left = calls.values.map(\.call)
        calls.removeAll()
        deadlineTimer = nil
        readHeld = false
        return left
    }

    // MARK: Flushing

    /// An answer was written to the outbound buffer: true when the handler
    /// must schedule a flush for the end of this event-loop tick. Within a
    /// read burst the burst's end flushes; one scheduled flush serves all.
    mutating func answerWritten() -> Bool {
        guard !inReadBurst, !flushScheduled else { return false }
        flushScheduled = true
        return true
    }

    /// The scheduled flush runs: later answers schedule another.
    mutating func scheduledFlushRuns() {
        flushScheduled = false
    }
}
