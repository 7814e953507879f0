import Testing

@testable import EventLoopSleep

@Suite struct EventLoopSleepTests {
    @Test func sleepsAtLeastTheDuration() async throws {
        let started = ContinuousClock.now
        try await EventLoopSleep.sleep(for: .milliseconds(30))
        #expect(ContinuousClock.now - started >= .milliseconds(30))
    }

    @Test func aCancelledSleepThrowsAtOnce() async throws {
        let sleeper = Task { try await EventLoopSleep.sleep(for: .seconds(600)) }
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
    }

    @Test func cancellingWhileAsleepEndsIt() async throws {
        let started = ContinuousClock.now
        let sleeper = Task { try await EventLoopSleep.sleep(for: .seconds(600)) }
        try await EventLoopSleep.sleep(for: .milliseconds(20))
        sleeper.cancel()
        await #expect(throws: CancellationError.self) { try await sleeper.value }
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func durationsOutsideNIOsRangeAreClamped() {
        #expect(EventLoopSleep.nanoseconds(.seconds(-5)) == 0)
        #expect(EventLoopSleep.nanoseconds(.milliseconds(1.5)) == 1_500_000)
        #expect(EventLoopSleep.nanoseconds(.seconds(Int64.max)) == .max)
        #expect(EventLoopSleep.nanoseconds(.zero) == 0)
    }
}
