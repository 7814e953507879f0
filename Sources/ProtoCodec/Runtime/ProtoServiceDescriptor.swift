/// A `service` of proto/, as generated from it: the names and message types
/// of its methods, for tools (such as an MCP bridge) that list methods
/// instead of naming each one. Code that calls or serves one method takes its
/// typed `ProtoMethod` instead.
public struct ProtoServiceDescriptor: Sendable {
    /// Full service name as sent in a ttrpc Request, e.g. `example.v1.Greeter`.
    public let name: String
    public let methods: [ProtoMethodDescriptor]
    /// The service's comment in its .proto file.
    public let documentation: String

    public init(name: String, methods: [ProtoMethodDescriptor], documentation: String) {
        self.name = name
        self.methods = methods
        self.documentation = documentation
    }

    /// The method called `name` (UpperCamelCase, e.g. `SayHello`), or nil.
    public func method(named name: String) -> ProtoMethodDescriptor? {
        methods.first { $0.name == name }
    }
}

/// One `rpc` of a service.
public struct ProtoMethodDescriptor: Sendable {
    /// Full service name, e.g. `example.v1.Greeter`.
    public let service: String
    /// Method name, e.g. `SayHello`.
    public let name: String
    public let requestType: any ProtoMessage.Type
    public let responseType: any ProtoMessage.Type
    /// The server answers with a stream of responses.
    public let serverStreaming: Bool
    /// The method's comment in its .proto file.
    public let documentation: String

    public init(
        service: String, name: String, requestType: any ProtoMessage.Type, responseType: any ProtoMessage.Type,
        serverStreaming: Bool, documentation: String
    ) {
        self.service = service
        self.name = name
        self.requestType = requestType
        self.responseType = responseType
        self.serverStreaming = serverStreaming
        self.documentation = documentation
    }
}
