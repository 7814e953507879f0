import ProtoCodec

/// Request metadata: ordered key/value pairs, keys compared case-insensitively
/// as HTTP/2 and gRPC do.
public struct Metadata: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public private(set) var pairs: [(key: String, value: String)]

    public init() { pairs = [] }

    public init(dictionaryLiteral elements: (String, String)...) {
        pairs = elements.map { (key: $0.0.lowercased(), value: $0.1) }
    }

    init(_ keyValues: [TTRPCKeyValue]) {
        pairs = keyValues.map { (key: $0.key.lowercased(), value: $0.value) }
    }

    public subscript(key: String) -> String? {
        let key = key.lowercased()
        return pairs.first { $0.key == key }?.value
    }

    public mutating func add(_ key: String, _ value: String) {
        pairs.append((key: key.lowercased(), value: value))
    }

    public var isEmpty: Bool { pairs.isEmpty }

    var keyValues: [TTRPCKeyValue] { pairs.map { TTRPCKeyValue(key: $0.key, value: $0.value) } }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.pairs.elementsEqual(rhs.pairs) { $0.key == $1.key && $0.value == $1.value }
    }
}
