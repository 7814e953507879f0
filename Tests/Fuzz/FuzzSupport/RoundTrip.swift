import ProtoCodec

/// Decoded, encoded, decoded again: the second encoding must equal the first
/// (bytes, not values, so a NaN cannot make equal messages differ).
public func checkRoundTrip<M: ProtoMessage>(_ type: M.Type, _ bytes: UnsafeRawBufferPointer) {
    guard let message = try? M(protobufBytes: bytes) else { return }
    let encoded = message.encoded()
    guard let again = try? M(protobufBytes: encoded) else {
        fatalError("\(M.protoName): its own encoding does not decode")
    }
    if again.encoded() != encoded {
        fatalError("\(M.protoName): encoding is not stable across a round trip")
    }
}
