/// One `rpc` of proto/ with its message types, as generated from it (e.g.
/// `PriceRulesRPC.createDiscountCode`): what routers register and clients
/// call, so neither spells out a name nor can pair it with the wrong messages.
public struct ProtoMethod<Request: ProtoMessage, Response: ProtoMessage>: Sendable {
    /// The same method, untyped: for listings and tools.
    public let descriptor: ProtoMethodDescriptor

    public init(service: String, name: String, serverStreaming: Bool, documentation: String) {
        descriptor = ProtoMethodDescriptor(
            service: service, name: name, requestType: Request.self, responseType: Response.self,
            serverStreaming: serverStreaming, documentation: documentation)
    }

    /// Full service name, as a ttrpc request carries it.
    public var service: String { descriptor.service }
    /// Method name in UpperCamelCase.
    public var name: String { descriptor.name }
    /// The server answers with a stream of responses.
    public var serverStreaming: Bool { descriptor.serverStreaming }
}
