import CProtoCodec
import CProtobufC
import NIOCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The bridge between a generated struct and its protoc-c struct, for generated
/// code only (its members take C pointers).
///
/// Public, with `PBC`, `PBCArena` and their generic members inlinable, because
/// the generated messages live in other modules (TTRPC, DiscountProto): a
/// `package` generic is not specialized across modules, and unspecialized
/// every encode and decode looked up generic metadata at run time, a fifth of
/// the CPU time of a call answered from memory.
public protocol PBCMessage: ProtoMessage {
    associatedtype CMessage

    /// `<message>__init`: sets the descriptor and the defaults.
    static func pbcInit(_ c: UnsafeMutablePointer<CMessage>)
    /// `<message>__unpack`; nil when the bytes are malformed. Everything it
    /// allocates comes from `allocator`.
    static func pbcUnpack(
        _ allocator: UnsafeMutablePointer<ProtobufCAllocator>, _ count: Int, _ data: UnsafePointer<UInt8>
    ) -> UnsafeMutablePointer<CMessage>?
    /// `<message>__get_packed_size`.
    static func pbcPackedSize(_ c: UnsafePointer<CMessage>) -> Int
    /// `<message>__pack`; returns the bytes written.
    static func pbcPack(_ c: UnsafePointer<CMessage>, _ out: UnsafeMutablePointer<UInt8>) -> Int

    /// A deep copy of an unpacked C message.
    init(pbc: UnsafePointer<CMessage>)
    /// Sets the fields of an initialised C message; everything it points to
    /// lives in `arena`.
    func pbcFill(_ c: UnsafeMutablePointer<CMessage>, _ arena: inout PBCArena)
}

// Every generated message's wire encoding: protobuf-c through the bridge.
extension PBCMessage {
    @inlinable
    public init(protobufBytes bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError) {
        self = try PBC.decode(bytes)
    }

    @inlinable
    public func encode(into buffer: inout ByteBuffer) { PBC.encode(self, into: &buffer) }

    @inlinable
    public func encoded() -> [UInt8] { PBC.encoded(self) }
}

/// The codec's C entry points and conversions, used by generated code.
public enum PBC {
    /// Unpacks into an arena (no malloc/free per string or sub-message; the
    /// arena goes at once, so free_unpacked is not needed) and deep-copies
    /// the result into Swift values.
    @inlinable
    public static func decode<M: PBCMessage>(_ bytes: UnsafeRawBufferPointer) throws(ProtoDecodingError) -> M {
        var stringProblem: ProtoDecodingError.StringProblem?
        let decoded: M? = PBCArena.with { arena in
            arena.withAllocator { allocator in
                let unpacked: UnsafeMutablePointer<M.CMessage>?
                if let base = bytes.baseAddress, !bytes.isEmpty {
                    unpacked = M.pbcUnpack(allocator, bytes.count, base.assumingMemoryBound(to: UInt8.self))
                } else {
                    // protobuf-c must never see a NULL data pointer, even for 0 bytes.
                    var byte: UInt8 = 0
                    unpacked = M.pbcUnpack(allocator, 0, &byte)
                }
                guard let unpacked else { return nil }
                // The C message's first member is its ProtobufCMessage base, which names its descriptor.
                let descriptor = UnsafeRawPointer(unpacked).assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor!
                stringProblem = PBCStringCheck.problem(in: bytes, descriptor)
                return stringProblem == nil ? M(pbc: unpacked) : nil
            }
        }
        guard let decoded else {
            throw ProtoDecodingError(messageName: M.protoName, byteCount: bytes.count, stringProblem: stringProblem)
        }
        return decoded
    }

    @inlinable
    public static func encoded<M: PBCMessage>(_ message: M) -> [UInt8] {
        PBCArena.with { arena in
            let c = arena.message(message)
            let size = M.pbcPackedSize(c)
            return [UInt8](unsafeUninitializedCapacity: size) { out, count in
                count = size == 0 ? 0 : M.pbcPack(c, out.baseAddress!)
                precondition(count == size, "protobuf-c packed a different size than it measured")
            }
        }
    }

    @inlinable
    public static func encode<M: PBCMessage>(_ message: M, into buffer: inout ByteBuffer) {
        PBCArena.with { arena in
            let c = arena.message(message)
            let size = M.pbcPackedSize(c)
            guard size > 0 else { return }
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { out in
                let written = M.pbcPack(c, out.baseAddress!.assumingMemoryBound(to: UInt8.self))
                precondition(written == size, "protobuf-c packed a different size than it measured")
                return written
            }
        }
    }

    // MARK: C -> Swift

    public static func string(_ p: UnsafePointer<CChar>?) -> String {
        guard let p else { return "" }
        return String(cString: p)
    }

    public static func bytes(_ b: ProtobufCBinaryData) -> [UInt8] {
        guard b.len > 0, let data = b.data else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: b.len))
    }

    @inlinable
    public static func array<C, S>(_ count: Int, _ base: UnsafeMutablePointer<C>?, _ convert: (C) -> S) -> [S] {
        guard count > 0, let base else { return [] }
        return UnsafeBufferPointer(start: base, count: count).map(convert)
    }

    /// A protoc-c enum's value (an unknown number is kept as is).
    @inlinable
    public static func enumValue<C: RawRepresentable>(_ c: C) -> Int32 where C.RawValue: FixedWidthInteger {
        Int32(truncatingIfNeeded: c.rawValue)
    }

    // MARK: Swift -> C

    @inlinable
    public static func cEnum<C: RawRepresentable>(_ value: Int32) -> C where C.RawValue: FixedWidthInteger {
        C(rawValue: C.RawValue(truncatingIfNeeded: value))!
    }

    // MARK: JSON

    public static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }
}
