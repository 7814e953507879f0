import Testing

@testable import TTRPC

/// The inbox's promise to its event loop: one scheduled drain per burst,
/// and nothing dropped or stranded between drains.
@Suite struct LoopInboxTests {
    @Test func onlyTheFirstDropOfABurstSchedulesADrain() {
        let inbox = LoopInbox<Int>()
        #expect(inbox.put(1))
        #expect(!inbox.put(2))
        #expect(!inbox.put(3))
    }

    @Test func aDrainHandsOverEveryItemInOrderThenTheNextDropSchedulesAgain() {
        let inbox = LoopInbox<Int>()
        _ = inbox.put(1)
        _ = inbox.put(2)
        var handled: [Int] = []
        #expect(!inbox.drain { handled.append($0) })
        #expect(handled == [1, 2])
        #expect(inbox.put(3))
    }

    @Test func dropsMadeDuringADrainJoinItWithoutSchedulingAnother() {
        let inbox = LoopInbox<Int>()
        _ = inbox.put(1)
        var handled: [Int] = []
        var scheduled: [Bool] = []
        _ = inbox.drain { item in
            handled.append(item)
            // A job that hops (to an actor and back) drops its next job here.
            if item < 3 { scheduled.append(inbox.put(item + 1)) }
        }
        #expect(handled == [1, 2, 3])
        #expect(scheduled == [false, false])
    }

    @Test func aDrainStoppedAtItsBatchLimitSaysItemsAreLeft() {
        let inbox = LoopInbox<Int>()
        _ = inbox.put(1)
        var handled: [Int] = []
        let unfinished = inbox.drain(maxBatches: 2) { item in
            handled.append(item)
            _ = inbox.put(item + 1)
        }
        #expect(unfinished)
        #expect(handled == [1, 2])
        // Still scheduled: the caller drains again, and a drop does not.
        #expect(!inbox.put(10))
        handled = []
        #expect(!inbox.drain { handled.append($0) })
        #expect(handled == [3, 10])
        #expect(inbox.put(11))
    }
}
