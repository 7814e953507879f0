/// Random code texts: `prefix` + `length` characters of `charset`, from the
/// system CSPRNG.
public struct CodeGenerator: Sendable, Hashable {
    /// No 0/O, 1/I/L: nothing a customer can misread.
    public static let lookAlikeFreeAlphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")
    public static let maxCount = 1_000_000

    public var prefix: String
    public var length: Int
    public var charset: [Character]

    public init(prefix: String = "", length: Int = 8, charset: String = "") throws(GeneratorProblem) {
        guard (1...64).contains(length) else { throw .badLength(length) }
        let characters = charset.isEmpty ? Self.lookAlikeFreeAlphabet : Array(Set(charset)).sorted()
        guard characters.count >= 2 else { throw .charsetTooSmall }
        // Printable ASCII only: a code's key is then its prefix's key and the
        // upper-cased draw, so `capacity` counts exactly the distinct keys
        // (Unicode characters can fold or compose into one another).
        guard characters.allSatisfy({ $0.isASCII && $0.asciiValue.map { (0x21..<0x7F).contains($0) } == true }) else {
            throw .charsetNotPrintable
        }
        guard case .success = CodeText.validated(prefix + String(repeating: characters[0], count: length)) else {
            throw .codeTooLong
        }
        self.prefix = prefix
        self.length = length
        self.charset = characters
    }

    /// How many distinct codes exist (saturating), counted case-insensitively.
    public var capacity: Int {
        let distinct = Set(charset.map { String($0).uppercased() }).count
        var total = 1
        for _ in 0..<length {
            let (product, overflow) = total.multipliedReportingOverflow(by: distinct)
            if overflow { return .max }
            total = product
        }
        return total
    }

    /// Whether `count` codes can be drawn without the search degenerating:
    /// random draws stay cheap while at most half the space is used.
    public func canFill(_ count: Int) -> Bool {
        count <= capacity / 2
    }

    public func next<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var text = prefix
        text.reserveCapacity(prefix.utf8.count + length)
        for _ in 0..<length {
            text.append(charset[Int(generator.next(upperBound: UInt64(charset.count)))])
        }
        return text
    }

    /// `count` distinct codes (distinct case-insensitively), skipping any in `excluded`.
    public func generate<G: RandomNumberGenerator>(
        _ count: Int, excluding excluded: Set<String> = [], using random: inout G
    ) -> [String] {
        var seen = Set<String>(minimumCapacity: count)
        var codes: [String] = []
        codes.reserveCapacity(count)
        // `canFill` keeps draws cheap; the bound only guarantees an end should
        // a caller ask for more than the space holds (it then gets fewer).
        var attempts = 0
        let maxAttempts = count.multipliedReportingOverflow(by: 64).partialValue &+ 1_000
        while codes.count < count, attempts < maxAttempts {
            attempts += 1
            let code = next(using: &random)
            let canonical = CodeText.canonical(code)
            if excluded.contains(canonical) || !seen.insert(canonical).inserted { continue }
            codes.append(code)
        }
        return codes
    }
}

public enum GeneratorProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case badLength(Int)
    case charsetTooSmall
    case charsetNotPrintable
    case codeTooLong
    case cannotFill(requested: Int, capacity: Int)

    public var description: String {
        switch self {
        case .badLength(let length): "length must be between 1 and 64 (got \(length))"
        case .charsetTooSmall: "charset must have at least 2 distinct characters"
        case .charsetNotPrintable: "charset must contain printable ASCII characters other than space only"
        case .codeTooLong: "prefix plus length must stay within \(CodeText.maxScalars) characters"
        case .cannotFill(let requested, let capacity):
            "cannot generate \(requested) distinct codes: length and charset allow \(capacity), and at most half of that can be drawn"
        }
    }
}
