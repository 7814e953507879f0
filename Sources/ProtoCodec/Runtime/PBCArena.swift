import CProtoCodec
import CProtobufC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A bump allocator for the C side of one encode or decode.
///
/// The first 1 KiB is on the stack; more goes to `malloc`'d chunks (each
/// twice the last) that are freed when the arena ends. Nothing is freed one
/// by one, and no pointer into the arena outlives `with`'s closure.
/// Public and inlinable for generated code in other modules (see `PBCMessage`).
public struct PBCArena: ~Copyable {
    @usableFromInline var cursor: UnsafeMutableRawPointer
    @usableFromInline var end: UnsafeMutableRawPointer
    @usableFromInline var chunks: [UnsafeMutableRawPointer] = []
    @usableFromInline var nextChunkSize = 4096

    /// Stack space for the first allocations; more than 1 KiB made encoding slower.
    @usableFromInline static let stackBytes = 1024

    @usableFromInline init(_ first: UnsafeMutableRawBufferPointer) {
        cursor = first.baseAddress!
        end = cursor + first.count
    }

    deinit {
        for chunk in chunks { free(chunk) }
    }

    /// Runs `body` with a fresh arena, freed when it returns.
    @inlinable
    public static func with<R>(_ body: (inout PBCArena) -> R) -> R {
        withUnsafeTemporaryAllocation(byteCount: stackBytes, alignment: 16) { first in
            var arena = PBCArena(first)
            return body(&arena)
        }
    }

    /// Runs `body` with a protobuf-c allocator that takes memory from this
    /// arena and frees nothing (the arena frees it all when it ends).
    @inlinable
    public mutating func withAllocator<R>(_ body: (UnsafeMutablePointer<ProtobufCAllocator>) -> R) -> R {
        withUnsafeMutablePointer(to: &self) { arena in
            var allocator = ProtobufCAllocator(
                alloc: { data, size in
                    // malloc's alignment: protobuf-c puts any C type there.
                    data!.assumingMemoryBound(to: PBCArena.self).pointee.allocate(byteCount: size, alignment: 16)
                },
                free: { _, _ in },
                allocator_data: UnsafeMutableRawPointer(arena))
            return body(&allocator)
        }
    }

    @usableFromInline mutating func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        var start = cursor.alignedUp(toMultipleOf: alignment)
        if start.distance(to: end) < byteCount {
            let size = max(nextChunkSize, byteCount + alignment)
            nextChunkSize = size * 2
            guard let chunk = malloc(size) else { fatalError("out of memory in the protobuf codec") }
            chunks.append(chunk)
            start = chunk.alignedUp(toMultipleOf: alignment)
            end = chunk + size
        }
        cursor = start + byteCount
        return start
    }

    /// Uninitialised room for `count` values of `T`.
    @inlinable
    public mutating func allocate<T>(_: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        allocate(byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
            .bindMemory(to: T.self, capacity: count)
    }

    /// A NUL-terminated copy of `string`'s UTF-8 (protobuf-c stops at a NUL in it).
    public mutating func cString(_ string: String) -> UnsafeMutablePointer<CChar> {
        let count = string.utf8.count
        let p = allocate(byteCount: count + 1, alignment: 1)
        let copied: Void? = string.utf8.withContiguousStorageIfAvailable { utf8 in
            if count > 0 { p.copyMemory(from: utf8.baseAddress!, byteCount: count) }
        }
        if copied == nil {
            for (i, byte) in string.utf8.enumerated() { p.storeBytes(of: byte, toByteOffset: i, as: UInt8.self) }
        }
        p.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
        return p.bindMemory(to: CChar.self, capacity: count + 1)
    }

    /// A copy of `bytes` as protobuf-c binary data.
    public mutating func binary(_ bytes: [UInt8]) -> ProtobufCBinaryData {
        guard !bytes.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let p = allocate(UInt8.self, count: bytes.count)
        bytes.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: bytes.count) }
        return ProtobufCBinaryData(len: bytes.count, data: p)
    }

    /// An initialised C message filled from `message`.
    @inlinable
    public mutating func message<M: PBCMessage>(_ message: M) -> UnsafeMutablePointer<M.CMessage> {
        let c = allocate(M.CMessage.self, count: 1)
        M.pbcInit(c)
        message.pbcFill(c, &self)
        return c
    }

    // MARK: Repeated fields

    @inlinable
    public mutating func messages<M: PBCMessage>(_ messages: [M]) -> UnsafeMutablePointer<UnsafeMutablePointer<M.CMessage>?> {
        let p = allocate(UnsafeMutablePointer<M.CMessage>?.self, count: messages.count)
        for (i, m) in messages.enumerated() { (p + i).initialize(to: message(m)) }
        return p
    }

    public mutating func strings(_ strings: [String]) -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> {
        let p = allocate(UnsafeMutablePointer<CChar>?.self, count: strings.count)
        for (i, s) in strings.enumerated() { (p + i).initialize(to: cString(s)) }
        return p
    }

    public mutating func binaries(_ values: [[UInt8]]) -> UnsafeMutablePointer<ProtobufCBinaryData> {
        let p = allocate(ProtobufCBinaryData.self, count: values.count)
        for (i, v) in values.enumerated() { (p + i).initialize(to: binary(v)) }
        return p
    }

    @inlinable
    public mutating func scalars<T: BitwiseCopyable>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let p = allocate(T.self, count: values.count)
        values.withUnsafeBufferPointer { p.initialize(from: $0.baseAddress!, count: values.count) }
        return p
    }

    public mutating func bools(_ values: [Bool]) -> UnsafeMutablePointer<protobuf_c_boolean> {
        let p = allocate(protobuf_c_boolean.self, count: values.count)
        for (i, v) in values.enumerated() { (p + i).initialize(to: v ? 1 : 0) }
        return p
    }

    @inlinable
    public mutating func enums<C: RawRepresentable>(_ values: [Int32]) -> UnsafeMutablePointer<C>
    where C.RawValue: FixedWidthInteger {
        let p = allocate(C.self, count: values.count)
        for (i, v) in values.enumerated() { (p + i).initialize(to: PBC.cEnum(v)) }
        return p
    }
}
