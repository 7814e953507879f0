import Synchronization

/// What a load run saw, printed as one JSON line when it ends.
final class LoadCounters: Sendable {
    private struct Counts {
        var acknowledged: [String: Int] = [:]
        var reads = 0
        var refused = 0
        var unexpected = 0
        var firstUnexpected: String?
    }

    private let counts = Mutex(Counts())

    func acknowledged(_ kind: String) { counts.withLock { $0.acknowledged[kind, default: 0] += 1 } }
    func read() { counts.withLock { $0.reads += 1 } }
    func refused() { counts.withLock { $0.refused += 1 } }

    func unexpected(_ what: String) {
        counts.withLock {
            $0.unexpected += 1
            if $0.firstUnexpected == nil { $0.firstUnexpected = what }
        }
    }

    var unexpectedCount: Int { counts.withLock { $0.unexpected } }
    var totalAcknowledged: Int { counts.withLock { $0.acknowledged.values.reduce(0, +) } }

    func summary(seconds: Double) -> String {
        counts.withLock { c in
            let kinds = c.acknowledged.keys.sorted().map { "\"\($0)\":\(c.acknowledged[$0]!)" }.joined(separator: ",")
            let first =
                c.firstUnexpected.map { ",\"first_unexpected\":\"\($0.replacingOccurrences(of: "\"", with: "'"))\"" } ?? ""
            return
                "{\"seconds\":\(seconds),\"acknowledged\":{\(kinds)},\"reads\":\(c.reads),\"refused\":\(c.refused),\"unexpected\":\(c.unexpected)\(first)}"
        }
    }
}
