import NIOCore
import TTRPC

/// The load on one connection. Lives on the connection's event loop: each
/// response is answered with the next request in the same tick, with no task
/// or thread hop, so the generator costs little beside the server.
final class ConnectionLoad: @unchecked Sendable {  // confined to client.eventLoop
    struct Outcome: Sendable {
        var histogram: LatencyHistogram
        var errors: [String: UInt64]
        var measured: UInt64
        var total: UInt64
        var firstMeasuredSend: UInt64?
        var lastMeasuredAnswer: UInt64?
        var stoppedEarly: String?
    }

    private let client: TTRPCClient
    private let plan: LoadPlan
    private let index: Int
    private let metadata: Metadata
    private let warmupEnd: UInt64
    private let measureEnd: UInt64?
    private let quota: UInt64?
    private let done: EventLoopPromise<Outcome>

    private var nextIndex: UInt64 = 0
    private var inFlight = 0
    private var measuredSent: UInt64 = 0
    private var stopped = false
    private var outcome = Outcome(histogram: .makeLatency(), errors: [:], measured: 0, total: 0)

    /// `start` is the run's common start (uptime nanoseconds).
    init(client: TTRPCClient, plan: LoadPlan, index: Int, start: UInt64) {
        self.client = client
        self.plan = plan
        self.index = index
        var metadata = Metadata()
        for (key, value) in plan.metadata { metadata.add(key, value) }
        self.metadata = metadata
        warmupEnd = start + UInt64(plan.warmup * 1e9)
        if case .duration(let seconds) = plan.stop {
            measureEnd = warmupEnd + UInt64(seconds * 1e9)
        } else {
            measureEnd = nil
        }
        quota = plan.callQuota(connection: index)
        done = client.eventLoop.makePromise(of: Outcome.self)
    }

    /// Starts the calls; the future completes once every call sent has been answered.
    func run() -> EventLoopFuture<Outcome> {
        client.eventLoop.execute {
            for _ in 0..<self.plan.inFlight where self.sendNext() {}
            if self.inFlight == 0 { self.done.succeed(self.outcome) }
        }
        return done.futureResult
    }

    /// Sends one call if the run goes on; false once it has stopped.
    private func sendNext() -> Bool {
        if stopped { return false }
        let now = NIODeadline.now().uptimeNanoseconds
        let measured = now >= warmupEnd
        if measured {
            if let measureEnd, now >= measureEnd { stopped = true }
            if let quota, measuredSent >= quota { stopped = true }
        }
        let sequence = nextIndex * UInt64(plan.connections) + UInt64(index)
        if let limit = plan.sequenceLimit, sequence >= limit {
            stopped = true
            outcome.stoppedEarly = "the \(limit) set-up values for per-call ids were used up"
        }
        if stopped { return false }
        nextIndex += 1
        if measured {
            measuredSent += 1
            if outcome.firstMeasuredSend == nil { outcome.firstMeasuredSend = now }
        }
        let call = plan.call(sequence)
        let payload = call.template.payload(sequence: sequence, runID: plan.runID, varintBase: plan.varintBase)
        inFlight += 1
        client.sendOnEventLoop(service: call.service, method: call.method, payload: payload, metadata: metadata) {
            self.answered($0, sentAt: now, measured: measured)
        }
        return true
    }

    private func answered(_ result: Result<TTRPCResponse, any Error>, sentAt: UInt64, measured: Bool) {
        inFlight -= 1
        outcome.total += 1
        var failure: String?
        switch result {
        case .success(let response):
            if let status = response.status, status.code != 0 { failure = StatusCode(rawValue: status.code).name }
        case .failure(let error):
            failure = (error as? RPCError)?.code.name ?? "TRANSPORT"
            // The connection is gone: stop rather than fail every further call at once.
            stopped = true
            outcome.stoppedEarly = outcome.stoppedEarly ?? "connection failed: \(error)"
        }
        if measured {
            let now = NIODeadline.now().uptimeNanoseconds
            outcome.histogram.record(now - sentAt)
            outcome.measured += 1
            outcome.lastMeasuredAnswer = now
            if let failure { outcome.errors[failure, default: 0] += 1 }
        }
        if !sendNext() && inFlight == 0 {
            done.succeed(outcome)
        }
    }
}
