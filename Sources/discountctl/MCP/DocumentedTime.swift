import DiscountClient

/// The instant formats the documented APIs use, all in UTC and to the whole
/// second (older Python `datetime.fromisoformat` takes neither `Z` nor nine
/// fractional digits; the documents show none).
extension ProtoTimestamp {
    private var wholeSecondZ: String { ProtoTimestamp(seconds: seconds, nanos: 0).rfc3339 }

    /// `2026-03-31T23:59:59+00:00` (the commission tool).
    var isoWithOffset: String { String(wholeSecondZ.dropLast()) + "+00:00" }

    /// `2023-06-20T15:30:00Z` (Create Discount Code).
    var isoWithZ: String { wholeSecondZ }

    /// `2022-06-17 07:48:29` (Get Discount Code Details).
    var spacedDateTime: String {
        String(wholeSecondZ.dropLast().map { $0 == "T" ? " " : $0 })
    }

    /// Seconds since 1970 as a float, fraction kept (the voucher tools).
    var unixSeconds: Double { Double(seconds) + Double(nanos) / 1e9 }
}
