/// The rules for code text (DESIGN.md §3): 1–255 printable characters after
/// trimming, unique per project compared case-insensitively.
public enum CodeText {
    public static let maxLength = 255

    /// The trimmed text, or why it is not a valid code.
    public static func validated(_ raw: String) -> Result<String, CodeTextProblem> {
        let trimmed = trim(raw)
        if trimmed.isEmpty { return .failure(.empty) }
        if trimmed.count > maxLength { return .failure(.tooLong(trimmed.count)) }
        // Printable ASCII, the usual case, needs no Unicode property lookups.
        if trimmed.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return .success(trimmed) }
        if trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format || $0.properties.generalCategory == .unassigned }) {
            return .failure(.notPrintable)
        }
        return .success(trimmed)
    }

    /// The unique key of a code: trimmed and upper-cased.
    public static func canonical(_ text: String) -> String {
        trim(text).uppercased()
    }

    public static func trim(_ text: String) -> String {
        if let first = text.utf8.first, let last = text.utf8.last,
            first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F
        {
            return text  // nothing to trim (ASCII ends that are not spaces)
        }
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }
}

public enum CodeTextProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case empty
    case tooLong(Int)
    case notPrintable

    public var description: String {
        switch self {
        case .empty: "must not be empty"
        case .tooLong(let count): "must be at most \(CodeText.maxLength) characters (got \(count))"
        case .notPrintable: "must contain printable characters only"
        }
    }
}
