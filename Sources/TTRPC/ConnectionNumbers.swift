import Synchronization

/// Numbers the server's connections from 1, for logs and generated request ids.
enum ConnectionNumbers {
    private static let last = Atomic<UInt64>(0)

    static func next() -> UInt64 { last.add(1, ordering: .relaxed).newValue }
}
