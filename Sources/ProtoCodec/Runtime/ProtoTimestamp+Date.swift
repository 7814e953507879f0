#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension ProtoTimestamp {
    /// The instant `date`, to the nanosecond Date can hold.
    public init(date: Date) {
        let interval = date.timeIntervalSince1970
        var seconds = interval.rounded(.down)
        var nanos = ((interval - seconds) * 1e9).rounded()
        if nanos >= 1e9 {
            seconds += 1
            nanos -= 1e9
        }
        self.init(seconds: Int64(seconds), nanos: Int32(nanos))
    }

    /// This instant as a Date.
    public var date: Date {
        Date(timeIntervalSince1970: Double(seconds) + Double(nanos) / 1e9)
    }

    /// RFC 3339 in UTC, with 0, 3, 6 or 9 fractional digits as needed:
    /// `2024-05-01T12:00:00Z`, `2024-05-01T12:00:00.250Z`.
    public var rfc3339: String {
        // Normalise nanos into 0..<1e9 (a negative nanos borrows a second).
        var seconds = seconds
        var nanos = Int64(nanos)
        seconds += nanos / 1_000_000_000
        nanos %= 1_000_000_000
        if nanos < 0 {
            nanos += 1_000_000_000
            seconds -= 1
        }
        let (days, secondOfDay) = Self.floorDivide(seconds, 86_400)
        let (year, month, day) = Self.civil(fromDays: days)
        var text = Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        text += "T" + Self.pad(secondOfDay / 3600, 2) + ":" + Self.pad(secondOfDay / 60 % 60, 2)
        text += ":" + Self.pad(secondOfDay % 60, 2)
        if nanos != 0 {
            if nanos % 1_000_000 == 0 {
                text += "." + Self.pad(nanos / 1_000_000, 3)
            } else if nanos % 1_000 == 0 {
                text += "." + Self.pad(nanos / 1_000, 6)
            } else {
                text += "." + Self.pad(nanos, 9)
            }
        }
        return text + "Z"
    }

    /// JSON: the RFC 3339 string (`rfc3339`).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rfc3339)
    }

    private static func floorDivide(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value.magnitude)
        let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
        return value < 0 ? "-" + padded : padded
    }
}
