#if canImport(Glibc)
import Glibc
#endif

/// A point in wall-clock time, in microseconds since the Unix epoch: what the
/// store keeps and the wire's Timestamp carries.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public init(seconds: Int64, nanos: Int32 = 0) {
        microseconds = seconds * 1_000_000 + Int64(nanos) / 1000
    }

    public static func now() -> Instant {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Instant(seconds: Int64(now.tv_sec), nanos: Int32(now.tv_nsec))
    }

    public var seconds: Int64 { microseconds.floorDiv(1_000_000) }
    public var nanos: Int32 { Int32((microseconds - seconds * 1_000_000) * 1000) }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.microseconds < rhs.microseconds }

    public func adding(seconds: Int64) -> Instant { Instant(microseconds: microseconds + seconds * 1_000_000) }

    public var description: String { "\(seconds).\(String(nanos / 1000).leftPadded(to: 6))" }
}

extension Int64 {
    fileprivate func floorDiv(_ divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor < 0) ? quotient - 1 : quotient
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
