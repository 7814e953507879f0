extension ProtoAny {
    /// The prefix of every type URL this package writes.
    public static let typeURLPrefix = "type.googleapis.com/"

    /// `message` packed with type URL `type.googleapis.com/<protoName>`.
    public init<M: ProtoMessage>(packing message: M) {
        self.init(typeUrl: Self.typeURLPrefix + M.protoName, value: message.encoded())
    }

    /// The full message name: what follows the last `/` of the type URL.
    public var typeName: String {
        guard let slash = typeUrl.lastIndex(of: "/") else { return typeUrl }
        return String(typeUrl[typeUrl.index(after: slash)...])
    }

    /// Whether this holds an `M`.
    public func holds<M: ProtoMessage>(_: M.Type) -> Bool {
        typeName == M.protoName
    }

    /// The `M` inside, or nil when this holds another type; throws when it
    /// claims to hold an `M` but the bytes are malformed.
    public func unpack<M: ProtoMessage>(_: M.Type = M.self) throws(ProtoDecodingError) -> M? {
        guard holds(M.self) else { return nil }
        return try M(protobufBytes: value)
    }
}

extension ProtoAny {
    /// JSON: `{"@type": type_url, "value": base64}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: ProtoCodingKey.self)
        try c.encode(typeUrl, forKey: "@type")
        try c.encode(PBC.base64(value), forKey: "value")
    }
}
