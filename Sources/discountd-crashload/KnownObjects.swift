import Synchronization

/// Codes and agents the load may act on: those acknowledged so far (earlier
/// runs' from the ack log, this run's as they are acknowledged).
final class KnownObjects: Sendable {
    private struct State {
        var codes: [String] = []
        var agents: [Int64] = []
    }

    private let state = Mutex(State())

    init(acks: [Ack]) {
        state.withLock { state in
            for ack in acks {
                switch ack {
                case .code(let code, _): state.codes.append(code)
                case .agent(_, let id): state.agents.append(id)
                default: break
                }
            }
        }
    }

    var codeCount: Int { state.withLock { $0.codes.count } }
    var agentCount: Int { state.withLock { $0.agents.count } }

    func add(code: String) { state.withLock { $0.codes.append(code) } }
    func add(agent: Int64) { state.withLock { $0.agents.append(agent) } }

    /// A random known code, from the first `within` when given (a hot set).
    func randomCode(within: Int? = nil) -> String? {
        state.withLock { $0.codes.isEmpty ? nil : $0.codes[Int.random(in: 0..<min($0.codes.count, within ?? .max))] }
    }

    func randomAgent(within: Int? = nil) -> Int64? {
        state.withLock { $0.agents.isEmpty ? nil : $0.agents[Int.random(in: 0..<min($0.agents.count, within ?? .max))] }
    }
}
