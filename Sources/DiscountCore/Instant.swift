#if canImport(Glibc)
import Glibc
#endif

/// A point in wall-clock time, in microseconds since the Unix epoch: what the
/// store keeps and the wire's Timestamp carries.
public struct Instant: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    /// For seconds inside `validSeconds` (a clock's reading, a stored value);
    /// anything from the wire goes through `init?(wireSeconds:nanos:)`.
    public init(seconds: Int64, nanos: Int32 = 0) {
        microseconds = seconds * 1_000_000 + Int64(nanos) / 1000
    }

    /// The seconds google.protobuf.Timestamp allows: 0001-01-01T00:00:00Z
    /// through 9999-12-31T23:59:59Z. Every instant in it fits in microseconds.
    public static let validSeconds: ClosedRange<Int64> = -62_135_596_800...253_402_300_799
    /// Nanoseconds of a Timestamp: 0 through 999,999,999.
    public static let validNanos: ClosedRange<Int32> = 0...999_999_999

    /// A Timestamp's instant; nil when it is outside the range Timestamp allows,
    /// so no value from the wire can overflow.
    public init?(wireSeconds seconds: Int64, nanos: Int32) {
        guard Self.validSeconds.contains(seconds), Self.validNanos.contains(nanos) else { return nil }
        self.init(seconds: seconds, nanos: nanos)
    }

    public static func now() -> Instant {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Instant(seconds: Int64(now.tv_sec), nanos: Int32(now.tv_nsec))
    }

    public var seconds: Int64 { microseconds.floorDiv(1_000_000) }
    public var nanos: Int32 { Int32((microseconds - seconds * 1_000_000) * 1000) }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.microseconds < rhs.microseconds }

    /// Saturates at the ends of the representable range instead of trapping.
    public func adding(seconds: Int64) -> Instant {
        let (delta, deltaOverflow) = seconds.multipliedReportingOverflow(by: 1_000_000)
        let (sum, sumOverflow) = microseconds.addingReportingOverflow(delta)
        if deltaOverflow || sumOverflow { return Instant(microseconds: seconds < 0 ? .min : .max) }
        return Instant(microseconds: sum)
    }

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
