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

    /// A new id with `tail` as its random bits (SystemRandom's `make()`
    /// draws them from the kernel's CSPRNG). Not generic over a generator:
    /// called from another module, a generic one ran unspecialized, looking
    /// up type metadata on every call.
    public static func make(randomTail tail: UInt64) -> String {
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
        // The 16 bytes, big-endian: 48 bits of milliseconds, version 7 and
        // the 12-bit sequence, then the RFC 4122 variant and 62 random bits.
        let high = milliseconds << 16 | 0x7000 | UInt64(sequence)
        let low = 0x8000_0000_0000_0000 | tail & 0x3FFF_FFFF_FFFF_FFFF
        return format(high: high, low: low)
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

    /// 8-4-4-4-12 lower-case hex, written straight into the string.
    private static func format(high: UInt64, low: UInt64) -> String {
        String(unsafeUninitializedCapacity: 36) { text in
            var position = 0
            for nibble in 0..<32 {
                if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 {
                    text[position] = UInt8(ascii: "-")
                    position += 1
                }
                let word = nibble < 16 ? high : low
                let digit = UInt8(truncatingIfNeeded: word >> UInt64(60 - 4 * (nibble % 16)) & 0xF)
                text[position] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") - 10 + digit
                position += 1
            }
            return position
        }
    }
}
