import NIOCore
import NIOPosix
import TTRPC

/// Runs a `LoadPlan` over fresh connections to one socket and merges what
/// each connection measured.
public enum LoadRunner {
    public struct Measurement: Sendable {
        public var histogram: LatencyHistogram
        public var errors: [String: UInt64]
        public var calls: UInt64
        public var seconds: Double
        public var totalCalls: UInt64
        public var stoppedEarly: String?
    }

    public static func run(socketPath: String, plan: LoadPlan) async throws -> Measurement {
        precondition(plan.connections > 0 && plan.inFlight > 0)
        var clients: [TTRPCClient] = []
        do {
            for _ in 0..<plan.connections {
                clients.append(try await TTRPCClient.connect(socketPath: socketPath))
            }
        } catch {
            for client in clients { await client.close() }
            throw error
        }
        let start = NIODeadline.now().uptimeNanoseconds
        let futures = clients.enumerated().map { index, client in
            ConnectionLoad(client: client, plan: plan, index: index, start: start).run()
        }
        var outcomes: [ConnectionLoad.Outcome] = []
        for future in futures { outcomes.append(try await future.get()) }
        for client in clients { await client.close() }

        var histogram = LatencyHistogram.makeLatency()
        var errors: [String: UInt64] = [:]
        var measured: UInt64 = 0
        var total: UInt64 = 0
        for outcome in outcomes {
            histogram.add(outcome.histogram)
            errors.merge(outcome.errors, uniquingKeysWith: +)
            measured += outcome.measured
            total += outcome.total
        }
        let first = outcomes.compactMap(\.firstMeasuredSend).min()
        let last = outcomes.compactMap(\.lastMeasuredAnswer).max()
        let seconds = first.flatMap { first in last.map { Double($0 - first) / 1e9 } } ?? 0
        return Measurement(
            histogram: histogram, errors: errors, calls: measured, seconds: seconds, totalCalls: total,
            stoppedEarly: outcomes.compactMap(\.stoppedEarly).first)
    }
}
