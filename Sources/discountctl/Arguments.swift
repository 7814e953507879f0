import ArgumentParser
import DiscountClient
import Foundation

/// Options every write shares.
struct WriteOptions: ParsableArguments {
    @Option(help: "Sent as idempotency-key: the same key and request again returns the first answer.")
    var idempotencyKey: String?

    mutating func validate() throws {
        if let key = idempotencyKey, key.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--idempotency-key must not be blank")
        }
    }
}

/// An instant given in RFC 3339, e.g. `2025-06-01T00:00:00Z` or `2025-06-01T09:30:00.5+02:00`.
struct RFC3339Timestamp: ExpressibleByArgument, Sendable {
    var timestamp: ProtoTimestamp

    public init?(argument: String) {
        guard let timestamp = Self.parse(argument) else { return nil }
        self.timestamp = timestamp
    }

    static var defaultCompletionKind: CompletionKind { .default }

    /// Parses RFC 3339 (`T` or a space between date and time, `Z` or an offset,
    /// up to 9 fractional digits) to the nanosecond.
    static func parse(_ text: String) -> ProtoTimestamp? {
        let pattern = #"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$"#
        guard let regex = try? NSRegularExpression(pattern: pattern),
            let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text))
        else { return nil }
        func group(_ index: Int) -> String? {
            guard let range = Range(match.range(at: index), in: text) else { return nil }
            return String(text[range])
        }
        guard let year = Int64(group(1)!), let month = Int64(group(2)!), let day = Int64(group(3)!),
            let hour = Int64(group(4)!), let minute = Int64(group(5)!), let second = Int64(group(6)!),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var nanos: Int32 = 0
        if let fraction = group(7) {
            nanos = Int32(fraction.padding(toLength: 9, withPad: "0", startingAt: 0))!
        }
        var offset: Int64 = 0
        let zone = group(8)!
        if zone != "Z" && zone != "z" {
            let sign: Int64 = zone.hasPrefix("-") ? -1 : 1
            let parts = zone.dropFirst().split(separator: ":")
            guard let hours = Int64(parts[0]), let minutes = Int64(parts[1]), hours < 24, minutes < 60 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset
        return ProtoTimestamp(seconds: seconds, nanos: nanos)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// A proto enum as an option's value, by the name JSON shows it by
/// (`--value-type fixed_amount`); the zero value (`unspecified`) is not one.
extension ExpressibleByArgument where Self: ProtoEnum {
    public init?(argument: String) {
        guard let value = Self(jsonName: argument), value.rawValue != 0 else { return nil }
        self = value
    }

    public static var allValueStrings: [String] { knownValues.filter { $0.rawValue != 0 }.map(\.jsonName) }
}

extension ValueType: ExpressibleByArgument {}
extension VoucherCodeStatus: ExpressibleByArgument {}
extension OrderStatus: ExpressibleByArgument {}

enum Check {
    /// Fails with `--name must not be blank` when `value` is set but blank.
    static func notBlank(_ value: String?, _ option: String) throws {
        if let value, value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ValidationError("\(option) must not be blank")
        }
    }

    static func positive(_ value: Int64?, _ option: String) throws {
        if let value, value < 1 { throw ValidationError("\(option) must be at least 1") }
    }

    static func pageSize(_ value: Int32?) throws {
        if let value, !(1...1000).contains(value) {
            throw ValidationError("--page-size must be between 1 and 1000")
        }
    }

    static func exclusive(_ a: Bool, _ aName: String, _ b: Bool, _ bName: String) throws {
        if a && b { throw ValidationError("\(aName) and \(bName) cannot be used together") }
    }
}
