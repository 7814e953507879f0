#if canImport(Glibc)
import Glibc
#endif

/// The kernel's CSPRNG (/dev/urandom, as getrandom serves it), read 4 KiB at a time.
///
/// `SystemRandomNumberGenerator` makes one system call per `next()`; drawing a
/// million codes a character at a time cost ~11 million calls. Same source,
/// same quality, a thousandth of the calls.
public struct BufferedRandom: RandomNumberGenerator {
    private var buffer = [UInt8](repeating: 0, count: 4096)
    private var position = 4096

    public init() {}

    public mutating func next() -> UInt64 {
        if position + 8 > buffer.count { refill() }
        var value: UInt64 = 0
        for offset in 0..<8 { value |= UInt64(buffer[position + offset]) << (8 * UInt64(offset)) }
        position += 8
        return value
    }

    private mutating func refill() {
        var filled = 0
        let descriptor = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            defer { close(descriptor) }
            buffer.withUnsafeMutableBytes { raw in
                while filled < raw.count {
                    let got = read(descriptor, raw.baseAddress! + filled, raw.count - filled)
                    if got > 0 { filled += got } else if got == 0 || errno != EINTR { break }
                }
            }
        }
        // Without the device, the standard generator (getrandom per call) fills the rest.
        var system = SystemRandomNumberGenerator()
        while filled < buffer.count {
            buffer[filled] = UInt8(truncatingIfNeeded: system.next())
            filled += 1
        }
        position = 0
    }
}
