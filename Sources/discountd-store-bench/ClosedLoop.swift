import Foundation
import Synchronization

/// Keeps `inFlight` writes outstanding: each completion (on the store's
/// delivering thread) starts the next, as a pipelining client would.
final class ClosedLoop: Sendable {
    private let inFlight: Int
    private let write: StoreWrite
    private let started = Atomic<Int>(0)
    private let succeeded = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let outstanding = Atomic<Int>(0)

    init(inFlight: Int, write: @escaping StoreWrite) {
        self.inFlight = inFlight
        self.write = write
    }

    struct Result {
        var perSecond: Double
        var errors: Int
    }

    func run(warmup: Double, seconds: Double) async throws -> Result {
        for _ in 0..<inFlight { startOne() }
        try await Task.sleep(for: .seconds(warmup))
        let (okBefore, failedBefore) = (succeeded.load(ordering: .relaxed), failed.load(ordering: .relaxed))
        let clock = ContinuousClock()
        let start = clock.now
        try await Task.sleep(for: .seconds(seconds))
        let elapsed = clock.now - start
        let (ok, errors) = (succeeded.load(ordering: .relaxed) - okBefore, failed.load(ordering: .relaxed) - failedBefore)
        stopping.store(true, ordering: .relaxed)
        while outstanding.load(ordering: .acquiring) > 0 { try await Task.sleep(for: .milliseconds(10)) }
        let secondsTaken = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Result(perSecond: Double(ok) / secondsTaken, errors: errors)
    }

    private func startOne() {
        outstanding.add(1, ordering: .relaxed)
        let n = started.add(1, ordering: .relaxed).newValue
        write(n) { [self] ok in
            if ok { succeeded.add(1, ordering: .relaxed) } else { failed.add(1, ordering: .relaxed) }
            if !stopping.load(ordering: .relaxed) { startOne() }
            outstanding.subtract(1, ordering: .releasing)
        }
    }
}
