import DiscountCore
import DiscountStore
import Synchronization

/// Read-only WAL connections handed out under a lock. A read runs on the
/// calling task (point reads take microseconds) and never waits for the
/// writer: each statement sees the latest commit when it starts.
///
/// When every idle connection is in use another is opened rather than making
/// the caller wait; at most `maxIdle` are kept afterwards.
final class SQLiteReaderPool: Sendable {
    private struct State {
        var idle: [SQLiteConnection] = []
        var closed = false
    }

    private let path: String
    private let maxIdle: Int
    private let state = Mutex(State())

    init(path: String, maxIdle: Int = 4) throws {
        self.path = path
        self.maxIdle = maxIdle
        // Open them now, so a bad path or permission fails `open` rather than the first read.
        let connections = try (0..<maxIdle).map { _ in try SQLiteConnection(path: path, role: .reader) }
        state.withLock { $0.idle = connections }
    }

    /// Runs `body` with a reader connection; errors become `StoreError`s.
    func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let connection = try checkOut()
        defer { checkIn(connection) }
        do {
            return try body(connection)
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    private func checkOut() throws -> SQLiteConnection {
        let reused: SQLiteConnection? = try state.withLock { state in
            if state.closed { throw StoreError.closed }
            return state.idle.popLast()
        }
        if let reused { return reused }
        do {
            return try SQLiteConnection(path: path, role: .reader)
        } catch {
            throw StoreError.wrapping(error)
        }
    }

    private func checkIn(_ connection: SQLiteConnection) {
        let kept = state.withLock { state in
            guard !state.closed, state.idle.count < maxIdle else { return false }
            state.idle.append(connection)
            return true
        }
        if !kept { connection.close() }
    }

    /// Closes the idle connections; ones in use close when they come back.
    func close() {
        let connections = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in connections { connection.close() }
    }
}
