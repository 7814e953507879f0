import Testing

@testable import TTRPC

/// Every state and transition of a server connection, without a channel:
/// the handler only carries these decisions out.
@Suite struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine<String>

    static let shuttingDown = RPCError(.unavailable, "server is shutting down")
    static let tooMany = RPCError(.unavailable, "too many connections (limit 2); try again later")

    func machine(maxCallsInFlight: Int = 2, maxConnections: Int = 2) -> Machine {
        Machine(maxCallsInFlight: maxCallsInFlight, maxConnections: maxConnections)
    }

    /// A machine serving, with `calls` in flight on streams 1, 3, 5…, each due at 100 × its stream.
    func serving(calls: Int, maxCallsInFlight: Int = 2) -> Machine {
        var machine = machine(maxCallsInFlight: maxCallsInFlight)
        #expect(machine.channelActive(openConnections: 1) == .serve)
        for index in 0..<calls {
            let streamID = UInt32(2 * index + 1)
            _ = machine.callStarted(streamID: streamID, deadline: 100 * UInt64(streamID), call: "call \(streamID)")
        }
        return machine
    }

    // MARK: Opening

    @Test func upToTheCapAConnectionIsServed() {
        var machine = machine()
        #expect(machine.channelActive(openConnections: 2) == .serve)
        #expect(machine.state == .active)
    }

    @Test func pastTheCapAConnectionIsRefused() {
        var machine = machine()
        #expect(machine.channelActive(openConnections: 3) == .refuse(Self.tooMany))
        #expect(machine.state == .refusing(refusal: Self.tooMany))
    }

    // MARK: Admission

    @Test func anActiveConnectionAdmitsOddUnusedStreams() {
        var machine = serving(calls: 1)
        #expect(machine.admit(streamID: 3) == nil)
        #expect(machine.admit(streamID: 2) == RPCError(.invalidArgument, "StreamID must be odd for client initiated streams"))
        #expect(machine.admit(streamID: 1) == RPCError(.invalidArgument, "stream 1 is already in use"))
        _ = machine.callFinished(streamID: 1)
        #expect(machine.admit(streamID: 1) == nil, "a finished stream's id may be used again")
    }

    @Test func aRefusedConnectionAnswersEveryRequestWithTheRefusal() {
        var machine = machine()
        _ = machine.channelActive(openConnections: 3)
        #expect(machine.admit(streamID: 1) == Self.tooMany)
        // The stream id is checked first, as containerd does.
        #expect(machine.admit(streamID: 2)?.code == .invalidArgument)
    }

    @Test func aDrainingConnectionRefusesNewCallsAsShuttingDown() {
        var machine = serving(calls: 1)
        machine.quiesce()
        #expect(machine.state == .draining(refusal: Self.shuttingDown))
        #expect(machine.admit(streamID: 3) == Self.shuttingDown)
        #expect(machine.admit(streamID: 1)?.code == .invalidArgument)
    }

    @Test func aClosedConnectionKeepsItsRefusal() {
        var refused = machine()
        _ = refused.channelActive(openConnections: 3)
        refused.closeRefused()
        #expect(refused.closeIfDrained() == true)
        #expect(refused.state == .closed(refusal: Self.tooMany))
        #expect(refused.admit(streamID: 1) == Self.tooMany)

        var served = serving(calls: 0)
        _ = served.channelInactive()
        #expect(served.admit(streamID: 1) == Self.shuttingDown)
    }

    // MARK: Back-pressure

    @Test func atTheLimitNoCallStartsAndReadingIsHeld() {
        var machine = serving(calls: 1)
        #expect(machine.mayStartCall)
        #expect(machine.readRequested(isWritable: true) == true)
        _ = machine.callStarted(streamID: 3, deadline: 300, call: "call 3")
        #expect(!machine.mayStartCall)
        #expect(machine.readRequested(isWritable: true) == false)
        #expect(machine.resumeReading(isWritable: true) == false, "still at the limit")
        _ = machine.callFinished(streamID: 1)
        #expect(machine.mayStartCall)
        #expect(machine.resumeReading(isWritable: true) == true)
        #expect(machine.resumeReading(isWritable: true) == false, "resumed once")
        #expect(machine.readRequested(isWritable: true) == true)
    }

    @Test func aSocketThatTakesNoMoreHoldsReading() {
        var machine = serving(calls: 0)
        #expect(machine.readRequested(isWritable: false) == false)
        #expect(machine.resumeReading(isWritable: false) == false)
        #expect(machine.resumeReading(isWritable: true) == true)
        #expect(machine.resumeReading(isWritable: true) == false)
    }

    @Test func readingThatWasNotHeldIsNotResumed() {
        var machine = serving(calls: 2)
        _ = machine.callFinished(streamID: 1)
        #expect(machine.resumeReading(isWritable: true) == false)
    }

    // MARK: Calls and deadlines

    @Test func aFinishedCallIsGivenBackOnce() {
        var machine = serving(calls: 1)
        #expect(machine.isInFlight(streamID: 1))
        #expect(machine.callFinished(streamID: 1) == "call 1")
        #expect(!machine.isInFlight(streamID: 1))
        #expect(machine.callFinished(streamID: 1) == nil)
        #expect(machine.callsInFlight == 0)
    }

    @Test func theTimerIsArmedForTheEarliestDeadline() {
        var machine = serving(calls: 0, maxCallsInFlight: 8)
        #expect(machine.callStarted(streamID: 1, deadline: 500, call: "a") == 500)
        #expect(machine.callStarted(streamID: 3, deadline: 700, call: "b") == nil, "later: the armed timer stays")
        #expect(machine.callStarted(streamID: 5, deadline: 500, call: "c") == nil, "as early: the armed timer stays")
        #expect(machine.callStarted(streamID: 7, deadline: 200, call: "d") == 200, "earlier: re-armed")
        #expect(machine.deadlineTimer == 200)
        // A call that ends early leaves the timer as it is; it re-arms when it fires.
        _ = machine.callFinished(streamID: 7)
        #expect(machine.deadlineTimer == 200)
    }

    @Test func whenTheTimerFiresOverdueCallsExpireAndItReArms() {
        var machine = serving(calls: 0, maxCallsInFlight: 8)
        _ = machine.callStarted(streamID: 5, deadline: 200, call: "c")
        _ = machine.callStarted(streamID: 1, deadline: 100, call: "a")
        _ = machine.callStarted(streamID: 3, deadline: 200, call: "b")
        _ = machine.callStarted(streamID: 7, deadline: 900, call: "d")
        _ = machine.callStarted(streamID: 9, deadline: 400, call: "e")
        let fired = machine.deadlineTimerFired(now: 200)
        #expect(fired.expired.map { $0.streamID } == [1, 3, 5])
        #expect(fired.expired.map { $0.call } == ["a", "b", "c"])
        #expect(fired.rearmAt == 400)
        #expect(machine.deadlineTimer == 400)
        #expect(machine.callsInFlight == 2)
        #expect(machine.callFinished(streamID: 3) == nil, "an answer after the deadline is dropped")

        let last = machine.deadlineTimerFired(now: 1000)
        #expect(last.expired.map { $0.streamID } == [7, 9])
        #expect(last.rearmAt == nil)
        #expect(machine.deadlineTimer == nil)
        // The next call arms a new timer.
        #expect(machine.callStarted(streamID: 11, deadline: 2000, call: "f") == 2000)
    }

    @Test func aTimerWithNothingOverdueOnlyReArms() {
        var machine = serving(calls: 1)
        let fired = machine.deadlineTimerFired(now: 50)
        #expect(fired.expired.isEmpty)
        #expect(fired.rearmAt == 100)
        #expect(machine.isInFlight(streamID: 1))
    }

    // MARK: Idleness

    @Test func aConnectionQuietForAWholeTimeoutDrains() {
        var machine = serving(calls: 0)
        for _ in 1..<Machine.idleChecksPerTimeout { #expect(machine.idleCheck() == false) }
        #expect(machine.state == .active)
        #expect(machine.idleCheck() == true)
        #expect(machine.state == .draining(refusal: Self.shuttingDown))
        #expect(machine.closeIfDrained() == true)
    }

    @Test func readingStartsTheIdleCountAgain() {
        var machine = serving(calls: 0)
        for _ in 1..<Machine.idleChecksPerTimeout { #expect(machine.idleCheck() == false) }
        machine.channelRead()
        _ = machine.channelReadComplete()
        #expect(machine.idleCheck() == false, "the read counts")
        for _ in 1..<Machine.idleChecksPerTimeout { #expect(machine.idleCheck() == false) }
        #expect(machine.idleCheck() == true)
    }

    @Test func aCallInFlightIsNotIdleness() {
        var machine = serving(calls: 1)
        for _ in 0..<(3 * Machine.idleChecksPerTimeout) { #expect(machine.idleCheck() == false) }
        #expect(machine.state == .active)
        // Counted from the call's end.
        _ = machine.callFinished(streamID: 1)
        for _ in 1..<Machine.idleChecksPerTimeout { #expect(machine.idleCheck() == false) }
        #expect(machine.idleCheck() == true)
    }

    @Test func onlyAServingConnectionClosesForIdleness() {
        var refused = machine()
        _ = refused.channelActive(openConnections: 3)
        var draining = serving(calls: 0)
        draining.quiesce()
        for _ in 0..<(2 * Machine.idleChecksPerTimeout) {
            #expect(refused.idleCheck() == false)
            #expect(draining.idleCheck() == false)
        }
        #expect(refused.state == .refusing(refusal: Self.tooMany))
        #expect(draining.state == .draining(refusal: Self.shuttingDown))
    }

    // MARK: Draining and closing

    @Test func aDrainingConnectionClosesWithItsLastCall() {
        var machine = serving(calls: 2)
        #expect(machine.closeIfDrained() == false, "not draining")
        machine.quiesce()
        #expect(machine.closeIfDrained() == false)
        _ = machine.callFinished(streamID: 1)
        #expect(machine.closeIfDrained() == false)
        _ = machine.callFinished(streamID: 3)
        #expect(machine.closeIfDrained() == true)
        #expect(machine.state == .closed(refusal: Self.shuttingDown))
        #expect(machine.closeIfDrained() == false, "closed once")
    }

    @Test func expiredCallsLetADrainingConnectionClose() {
        var machine = serving(calls: 2)
        machine.quiesce()
        _ = machine.deadlineTimerFired(now: 1000)
        #expect(machine.closeIfDrained() == true)
    }

    @Test func quiescingAnIdleConnectionClosesItAtOnce() {
        var machine = serving(calls: 0)
        machine.quiesce()
        #expect(machine.closeIfDrained() == true)
    }

    @Test func aRefusedConnectionClosesAfterItsFirstRead() {
        var machine = machine()
        _ = machine.channelActive(openConnections: 3)
        machine.channelRead()
        #expect(machine.channelReadComplete() == .closeRefused)
        machine.closeRefused()
        #expect(machine.state == .draining(refusal: Self.tooMany))
        #expect(machine.closeIfDrained() == true)
        #expect(machine.state == .closed(refusal: Self.tooMany))
    }

    @Test func quiescingARefusedConnectionKeepsItsRefusal() {
        var machine = machine()
        _ = machine.channelActive(openConnections: 3)
        machine.quiesce()
        #expect(machine.state == .draining(refusal: Self.tooMany))
    }

    @Test func aClosedConnectionStaysClosed() {
        var machine = serving(calls: 0)
        machine.quiesce()
        _ = machine.closeIfDrained()
        machine.quiesce()
        machine.closeRefused()
        for _ in 0..<Machine.idleChecksPerTimeout { #expect(machine.idleCheck() == false) }
        #expect(machine.state == .closed(refusal: Self.shuttingDown))
        #expect(machine.channelReadComplete() == .flush)
    }

    @Test func whenTheChannelClosesTheCallsLeftAreGivenBack() {
        var machine = serving(calls: 2)
        #expect(machine.readRequested(isWritable: true) == false)
        #expect(Set(machine.channelInactive()) == ["call 1", "call 3"])
        #expect(machine.state == .closed(refusal: Self.shuttingDown))
        #expect(machine.callsInFlight == 0)
        #expect(machine.deadlineTimer == nil)
        #expect(machine.callFinished(streamID: 1) == nil)
        #expect(machine.channelInactive().isEmpty)
    }

    // MARK: Flushing

    @Test func answersWithinAReadBurstWaitForItsEnd() {
        var machine = serving(calls: 0)
        machine.channelRead()
        #expect(machine.answerWritten() == false)
        #expect(machine.answerWritten() == false)
        #expect(machine.channelReadComplete() == .flush)
    }

    @Test func answersOutsideAReadBurstShareOneScheduledFlush() {
        var machine = serving(calls: 0)
        #expect(machine.answerWritten() == true)
        #expect(machine.answerWritten() == false, "already scheduled")
        machine.scheduledFlushRuns()
        #expect(machine.answerWritten() == true, "a later answer schedules another")
    }
}
