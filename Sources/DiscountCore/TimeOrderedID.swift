import Synchronization

/// UUIDv7-style ids (RFC 9562): a millisecond timestamp, then randomness.
/// Their text sorts in creation order, so keyset pages keyed by id list
/// things oldest first; within one process they are strictly increasing.
public enum TimeOrderedID {
    private struct Clock {
        var milliseconds: UInt64 = 0
        var sequence: UInt16 = 0
    }

    private static let clock = Mutex(Clock())

    /// A new id; `generator` draws its random tail (SystemRandom's `make()`
    /// passes the kernel's CSPRNG).
    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        let tail = generator.next()
        let now = UInt64(Instant.now().microseconds / 1000)
        // Same millisecond (or a clock step back): count up in the 12-bit field.
        let (milliseconds, sequence) = clock.withLock { clock -> (UInt64, UInt16) in
            if now > clock.milliseconds {
                clock.milliseconds = now
                clock.sequence = 0
            } else if clock.sequence < 0xFFF {
                clock.sequence += 1
            } else {
                clock.milliseconds += 1
                clock.sequence = 0
            }
            return (clock.milliseconds, clock.sequence)
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        bytes[6] = 0x70 | UInt8(sequence >> 8)  // version 7
        bytes[7] = UInt8(truncatingIfNeeded: sequence)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: tail >> 56) & 0x3F  // RFC 4122 variant
        for index in 9..<16 { bytes[index] = UInt8(truncatingIfNeeded: tail >> (8 * UInt64(15 - index))) }
        return format(bytes)
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Whether `text` has the form `make()` gives: 36 characters, lower-case
    /// hex in groups of 8-4-4-4-12. (Page tokens are ids; anything else was
    /// not given by this daemon.)
    public static func isWellFormed(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard hexDigits.contains(byte) else { return false }
            }
        }
        return true
    }

    private static func format(_ bytes: [UInt8]) -> String {
        var text = [UInt8]()
        text.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if index == 4 || index == 6 || index == 8 || index == 10 { text.append(UInt8(ascii: "-")) }
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0xF)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
