/// A protobuf enum as a Swift enum (generated from proto/): one case per
/// value this version knows, and `unrecognized` for any other number, which
/// is kept as is (proto3 enums are open).
///
/// Generated code gives the numbers and JSON names; equality, hashing, JSON
/// encoding and lookup by name are the same for every enum and live here.
public protocol ProtoEnum: Sendable, Hashable, Encodable {
    /// Every known value once, in declaration order (an alias's first name).
    static var knownValues: [Self] { get }

    init(rawValue: Int32)
    var rawValue: Int32 { get }
    /// The value's name as JSON shows it (`not_serving`); the number, as
    /// text, for an unrecognized value.
    var jsonName: String { get }
}

extension ProtoEnum {
    /// The known value named `name` as in `jsonName`, or nil.
    public init?(jsonName name: String) {
        guard let value = Self.knownValues.first(where: { $0.jsonName == name }) else { return nil }
        self = value
    }

    /// Equal by number, as the wire sees them (`.unrecognized(1)` is the value numbered 1).
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.rawValue == rhs.rawValue }

    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }

    /// JSON shows a known number by name and any other by number.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if Self.knownValues.contains(self) {
            try container.encode(jsonName)
        } else {
            try container.encode(rawValue)
        }
    }
}
