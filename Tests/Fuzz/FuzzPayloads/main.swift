import DiscountProto
import FuzzSupport
import ProtoCodec

/// libFuzzer target: every request message of every discountd.v1 method.
///
/// The first input byte picks the message type (modulo their count, in
/// protobuf name order, see `RequestTypes.all`); the rest is its encoding.
/// Malformed bytes must throw; what decodes must encode to bytes that decode
/// to the same message again.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPayloads(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let type = RequestTypes.all[Int(data[0]) % RequestTypes.all.count]
    checkRoundTrip(type, UnsafeRawBufferPointer(start: data + 1, count: size - 1))
    return 0
}

enum RequestTypes {
    /// The request type of every method, without repeats, sorted by protobuf
    /// name; scripts/fuzz-seed numbers its seeds in the same order.
    static let all: [any ProtoMessage.Type] = {
        var byName: [String: any ProtoMessage.Type] = [:]
        for method in ProtoServiceDescriptor.all.flatMap(\.methods) {
            byName[method.requestType.protoName] = method.requestType
        }
        return byName.keys.sorted().map { byName[$0]! }
    }()
}

exit(runLibFuzzer { data, size in fuzzPayloads(data ?? UnsafePointer(bitPattern: 1)!, size) })
