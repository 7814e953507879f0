/// Bytes that are not a valid protobuf encoding of the expected message.
public struct ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The full protobuf name of the message being decoded.
    public var messageName: String
    /// How many bytes were offered.
    public var byteCount: Int

    public init(messageName: String, byteCount: Int) {
        self.messageName = messageName
        self.byteCount = byteCount
    }

    public var description: String {
        "malformed protobuf for \(messageName) (\(byteCount) bytes)"
    }
}
