import Foundation
import NIOSSL
import PostgresNIO

/// Where the PostgreSQL server is and how to log in, from a libpq-style URL:
///
///     postgresql://[user[:password]@][host][:port][/dbname][?param=value&…]
///
/// `host` (in the authority or as `?host=`) is a host name or IP address for
/// TCP, or an absolute folder for a Unix socket (`?host=/run/postgresql`:
/// the socket `/run/postgresql/.s.PGSQL.<port>`, as libpq finds it). Known
/// parameters: host, port, user, password, dbname, sslmode (disable, prefer,
/// require, verify-full), application_name, options (server settings, such
/// as `-c search_path=…`) and connect_timeout (seconds). Anything else is
/// refused, so a misspelt setting is never silently ignored.
public struct PostgresURL: Sendable, CustomStringConvertible {
    public enum SSLMode: String, Sendable {
        /// Plain text.
        case disable
        /// TLS when the server offers it, certificates unchecked (libpq's default).
        case prefer
        /// TLS or nothing, certificates unchecked (as libpq's `require`).
        case require
        /// TLS with the certificate checked against the system's CAs and the host name.
        case verifyFull = "verify-full"
    }

    public var host: String?
    /// The folder holding the server's Unix socket, when it is reached that way.
    public var socketDirectory: String?
    public var port: Int = 5432
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode = .prefer
    public var applicationName: String = "discountd"
    /// Server settings sent at connection start (libpq's `options`).
    public var options: String?
    public var connectTimeout: Duration = .seconds(10)

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses `string`; `password` (e.g. from an environment variable) is used
    /// when the URL has none.
    public init(_ string: String, password fallbackPassword: String? = nil) throws(Invalid) {
        let scheme: Substring
        if string.hasPrefix("postgresql://") {
            scheme = "postgresql://"
        } else if string.hasPrefix("postgres://") {
            scheme = "postgres://"
        } else {
            throw Invalid(description: "a PostgreSQL URL starts with postgresql:// (got \(Self.redacted(string)))")
        }
        var rest = string.dropFirst(scheme.count)
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = credentials.firstIndex(of: ":") {
                user = try Self.decode(credentials[..<colon], "user")
                password = try Self.decode(credentials[credentials.index(after: colon)...], "password")
            } else {
                user = try Self.decode(credentials, "user")
            }
        }
        // host[:port], with [v6] in brackets.
        var hostPart = rest
        if hostPart.hasPrefix("["), let close = hostPart.firstIndex(of: "]") {
            host = String(hostPart[hostPart.index(after: hostPart.startIndex)..<close])
            hostPart = hostPart[hostPart.index(after: close)...]
            if hostPart.hasPrefix(":") { port = try Self.port(hostPart.dropFirst()) }
        } else {
            if let colon = hostPart.lastIndex(of: ":") {
                port = try Self.port(hostPart[hostPart.index(after: colon)...])
                hostPart = hostPart[..<colon]
            }
            if !hostPart.isEmpty { host = try Self.decode(hostPart, "host") }
        }
        var database: String? = path.isEmpty ? nil : try Self.decode(path, "database name")
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let (name, value): (String, String)
            if let equals = pair.firstIndex(of: "=") {
                name = try Self.decode(pair[..<equals], "parameter")
                value = try Self.decode(pair[pair.index(after: equals)...], "parameter \(pair[..<equals])")
            } else {
                throw Invalid(description: "URL parameter \(pair) has no value")
            }
            switch name {
            case "host": host = value
            case "port": port = try Self.port(Substring(value))
            case "user": user = value
            case "password": password = value
            case "dbname": database = value
            case "sslmode":
                guard let mode = SSLMode(rawValue: value) else {
                    throw Invalid(description: "sslmode must be disable, prefer, require or verify-full (got \(value))")
                }
                sslMode = mode
            case "application_name": applicationName = value
            case "options": options = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw Invalid(description: "connect_timeout must be a positive number of seconds")
                }
                connectTimeout = .seconds(seconds)
            default:
                throw Invalid(description: "unknown URL parameter \(name)")
            }
        }
        if let given = host, given.contains(",") {
            throw Invalid(description: "one host only (got \(given))")
        }
        if let given = host, given.hasPrefix("/") {
            socketDirectory = given
            self.host = nil
        } else if host?.isEmpty != false {
            throw Invalid(description: "the URL names no host: give one, or ?host=/path/to/socket-folder")
        }
        self.user = user ?? Self.osUserName
        self.database = database ?? self.user
        if password == nil { password = fallbackPassword }
    }

    /// The socket file, for a Unix-socket URL.
    public var socketPath: String? { socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } }

    /// The URL without its password: for logs and errors.
    public var description: String {
        let server = socketDirectory.map { "?host=\($0)&port=\(port)" } ?? "\(host ?? ""):\(port)"
        return socketDirectory == nil
            ? "postgresql://\(user)@\(server)/\(database)"
            : "postgresql://\(user)@/\(database)\(server)"
    }

    // MARK: postgres-nio configurations

    var startupParameters: [(String, String)] {
        var parameters = [("application_name", applicationName)]
        // No JIT for these short statements, unless `options` sets it. The
        // batch statements' estimates grow with the tables (a claim's LIMIT is
        // a column, so the planner guesses a tenth of a pool), past
        // jit_above_cost and then past the inlining and optimisation costs:
        // compiling took 100 ms to over a second per statement, against 18 ms
        // to run it, and stalled assignments at a few hundred a second.
        if !(options ?? "").contains("jit") { parameters.append(("jit", "off")) }
        if let options { parameters.append(("options", options)) }
        return parameters
    }

    func clientConfiguration() throws -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS =
                switch sslMode {
                case .disable: .disable
                case .prefer: .prefer(Self.unverifiedTLS)
                case .require: .require(Self.unverifiedTLS)
                case .verifyFull: .require(.makeClientConfiguration())
                }
            configuration = .init(host: host ?? "", port: port, username: user, password: password, database: database, tls: tls)
        }
        configuration.options.connectTimeout = connectTimeout
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketPath {
            configuration = .init(unixSocketPath: socketPath, username: user, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS =
                switch sslMode {
                case .disable: .disable
                case .prefer: .prefer(try NIOSSLContext(configuration: Self.unverifiedTLS))
                case .require: .require(try NIOSSLContext(configuration: Self.unverifiedTLS))
                case .verifyFull: .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
            configuration = .init(host: host ?? "", port: port, username: user, password: password, database: database, tls: tls)
        }
        let (seconds, attoseconds) = connectTimeout.components
        configuration.options.connectTimeout = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// libpq's prefer and require: encrypted, but whoever answers is trusted.
    private static var unverifiedTLS: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return tls
    }

    // MARK: Parsing pieces

    /// libpq's default user: the one running the process.
    private static var osUserName: String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "postgres" }
        return String(cString: name)
    }

    private static func decode(_ text: Substring, _ what: String) throws(Invalid) -> String {
        guard let decoded = String(text).removingPercentEncoding else {
            throw Invalid(description: "bad percent-encoding in the \(what)")
        }
        return decoded
    }

    private static func port(_ text: Substring) throws(Invalid) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw Invalid(description: "port must be 1–65535 (got \(text))")
        }
        return port
    }

    /// `string` with anything between "://" and "@" past a ":" hidden.
    static func redacted(_ string: String) -> String {
        guard let start = string.range(of: "://"), let at = string[start.upperBound...].lastIndex(of: "@"),
            let colon = string[start.upperBound..<at].firstIndex(of: ":")
        else { return string }
        return String(string[..<string.index(after: colon)]) + "***" + String(string[at...])
    }
}
