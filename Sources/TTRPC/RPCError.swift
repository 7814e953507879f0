import ProtoCodec

/// An error as it travels on the wire: a status code, a message for people,
/// and typed details (packed `Any`) for programs.
public struct RPCError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: StatusCode
    public var message: String
    public var details: [ProtoAny]

    public init(_ code: StatusCode, _ message: String, details: [ProtoAny] = []) {
        self.code = code
        self.message = message
        self.details = details
    }

    public init(status: RPCStatus) {
        self.init(StatusCode(rawValue: status.code), status.message, details: status.details)
    }

    public var status: RPCStatus {
        RPCStatus(code: code.rawValue, message: message, details: details)
    }

    public var description: String { "\(code.name): \(message)" }
}

/// Lets a domain error say which status it is, so handlers can simply throw it.
public protocol RPCErrorConvertible: Error {
    var rpcError: RPCError { get }
}

extension RPCError: RPCErrorConvertible {
    public var rpcError: RPCError { self }
}
