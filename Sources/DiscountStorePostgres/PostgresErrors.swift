import DiscountStore
import PostgresNIO

/// Reading what PostgreSQL refused, and turning what callers cannot act on
/// into `StoreError`s.
enum PostgresErrors {
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    static func constraint(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.constraintName]
    }

    static func isUniqueViolation(_ error: any Error) -> Bool { sqlState(error) == "23505" }
    static func isForeignKeyViolation(_ error: any Error) -> Bool { sqlState(error) == "23503" }

    /// Failures that running the same transaction again can cure: a
    /// serialization failure or a deadlock (PostgreSQL chose this transaction
    /// as the victim; the other went on).
    static func isRetryable(_ error: any Error) -> Bool {
        ["40001", "40P01"].contains(sqlState(error))
    }

    /// The server's own words, or what kind of failure it was: `PSQLError`'s
    /// description hides both on purpose.
    static func message(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo {
            return [info[.sqlState], info[.message], info[.detail]].compactMap { $0 }.joined(separator: ": ")
        }
        return "\(error.code)\(error.underlying.map { ": \($0)" } ?? "")"
    }

    /// `error` as the store reports it: a `StoreError` passes through; a lost or
    /// refused connection is `.unavailable`; a full disk `.storageFull`; any
    /// other failure `.failure` with the server's message.
    static func storeError(_ error: any Error) -> any Error {
        if error is StoreError || error is CancellationError { return error }
        guard let psql = error as? PSQLError else {
            // The pool's own errors (it gave up connecting: its circuit breaker
            // tripped) are of a type postgres-nio does not export.
            if String(describing: type(of: error)).contains("ConnectionPoolError") {
                return StoreError.unavailable("\(error)")
            }
            return StoreError.failure("\(error)")
        }
        if psql.code == .server, let state = psql.serverInfo?[.sqlState] {
            switch state {
            case "53100": return StoreError.storageFull
            // Connection exceptions, too many connections, shutdown and startup, crash recovery.
            case _ where state.hasPrefix("08"), "53300", "57P01", "57P02", "57P03", "57P05":
                return StoreError.unavailable(message(psql))
            default: return StoreError.failure("postgresql: \(message(psql))")
            }
        }
        switch psql.code {
        case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
            .sslUnsupported, .failedToAddSSLHandler, .queryCancelled:
            return StoreError.unavailable(message(psql))
        default:
            return StoreError.failure("postgresql: \(message(psql))")
        }
    }
}
