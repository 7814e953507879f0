/// Bytes that are not a valid protobuf encoding of the expected message.
public struct ProtoDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The full protobuf name of the message being decoded.
    public var messageName: String
    /// How many bytes were offered.
    public var byteCount: Int

    /// Set when the framing parsed but a string field did not hold text.
    public var stringProblem: StringProblem?

    public init(messageName: String, byteCount: Int, stringProblem: StringProblem? = nil) {
        self.messageName = messageName
        self.byteCount = byteCount
        self.stringProblem = stringProblem
    }

    /// A `string` field whose bytes are not text protobuf allows.
    public struct StringProblem: Hashable, Sendable {
        public enum Kind: Hashable, Sendable {
            /// A NUL byte: C would cut the text there.
            case nul
            case invalidUTF8
        }
        /// The field's name in proto/ (snake_case).
        public var field: String
        public var kind: Kind

        public init(field: String, kind: Kind) {
            self.field = field
            self.kind = kind
        }
    }

    public var description: String {
        switch stringProblem?.kind {
        case .nul?: "\(messageName).\(stringProblem!.field) holds a NUL character"
        case .invalidUTF8?: "\(messageName).\(stringProblem!.field) is not valid UTF-8"
        case nil: "malformed protobuf for \(messageName) (\(byteCount) bytes)"
        }
    }
}
