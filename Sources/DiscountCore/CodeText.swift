import Foundation

#if canImport(FoundationEssentials)
import FoundationEssentials
#endif

/// The rules for code text: 1–255 Unicode scalars (at most 1,020 UTF-8 bytes)
/// after trimming, none of them a control, format, separator, private-use,
/// surrogate or unassigned character; unique per project by a key that makes
/// look-alikes collide.
public enum CodeText {
    /// Unicode scalars, not grapheme clusters: one letter followed by a
    /// million combining marks is one grapheme and two megabytes.
    public static let maxScalars = 255
    /// What 255 scalars can take in UTF-8.
    public static let maxBytes = 1_020

    /// The trimmed text, or why it is not a valid code.
    public static func validated(_ raw: String) -> Result<String, CodeTextProblem> {
        let trimmed = trim(raw)
        if trimmed.isEmpty { return .failure(.empty) }
        // Printable ASCII, the usual case, needs no Unicode property lookups.
        if trimmed.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return trimmed.utf8.count > maxScalars ? .failure(.tooLong(trimmed.utf8.count)) : .success(trimmed)
        }
        if trimmed.utf8.count > maxBytes { return .failure(.tooManyBytes(trimmed.utf8.count)) }
        let scalars = trimmed.unicodeScalars.count
        if scalars > maxScalars { return .failure(.tooLong(scalars)) }
        if let bad = trimmed.unicodeScalars.first(where: isRefused) { return .failure(.notPrintable(bad)) }
        return .success(trimmed)
    }

    /// Controls (C0, C1, NUL), format characters (bidi overrides, zero-width
    /// joiners, U+FEFF), line and paragraph separators, private-use,
    /// surrogate and unassigned code points: invisible, or different on
    /// every screen, so two codes could look the same and not be.
    public static func isRefused(_ scalar: Unicode.Scalar) -> Bool {
        // ASCII, nearly every id and code: only the C0 controls and DEL are
        // refused there, and the Unicode table lookup cost 4% of a create.
        if scalar.isASCII { return scalar.value < 0x20 || scalar.value == 0x7F }
        return switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned: true
        default: false
        }
    }

    /// The unique key of a code: Unicode's identifier-matching form (NFKC,
    /// then case folding, then NFKC again), with ASCII letters upper-cased.
    /// `ＳＵＭＭＥＲ`, `summer` and `SUMMER` share a key, as do `CAFÉ` in NFC
    /// and NFD. The upper-casing (of a folded, so lower-case, text) keeps the
    /// keys of ASCII codes, by far the usual kind, what they always were.
    public static func canonical(_ text: String) -> String {
        let trimmed = trim(text)
        if trimmed.utf8.allSatisfy({ $0 < 0x80 }) { return asciiUpper(trimmed) }
        let folded = trimmed.precomposedStringWithCompatibilityMapping
            .folding(options: [.caseInsensitive], locale: nil)
            .precomposedStringWithCompatibilityMapping
        return asciiUpper(folded)
    }

    private static func asciiUpper(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") }) else { return text }
        return String(
            decoding: text.utf8.map { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") ? $0 - 32 : $0 }, as: UTF8.self)
    }

    public static func trim(_ text: String) -> String {
        if let first = text.utf8.first, let last = text.utf8.last,
            first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F
        {
            return text  // nothing to trim (ASCII ends that are not spaces)
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

public enum CodeTextProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case tooManyBytes(Int)
    case notPrintable(Unicode.Scalar)

    public var description: String {
        switch self {
        case .empty: "must not be empty"
        case .tooLong(let count): "must be at most \(CodeText.maxScalars) characters (got \(count))"
        case .tooManyBytes(let count): "must be at most \(CodeText.maxBytes) bytes of UTF-8 (got \(count))"
        case .notPrintable(let scalar):
            "must not contain control, format or invisible characters (found U+\(String(scalar.value, radix: 16, uppercase: true)))"
        }
    }
}
