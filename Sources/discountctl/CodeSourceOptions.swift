import ArgumentParser
import DiscountClient
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where a bulk command's codes come from: a list (`--code`, `--codes-file`)
/// or a generator (`--count`, `--prefix`, `--length`, `--charset`); and
/// whether its progress is shown.
struct CodeSourceOptions: ParsableArguments {
    /// A bulk command's help: where its codes come from, where progress goes,
    /// then `result` (what is printed, and examples).
    static func discussion(printing result: String) -> String {
        """
        Give the codes with repeated --code or --codes-file (one per line, blank lines skipped; \
        - reads stdin), or generate them with --count (and --prefix, --length, --charset). \
        Progress goes to stderr (on a terminal, or with --progress); the result is printed as \
        \(result)
        """
    }

    @Option(help: "A code to add (repeat for more).")
    var code: [String] = []

    @Option(help: "File with one code per line (- for stdin).")
    var codesFile: String?

    @Option(help: "How many codes to generate, 1..1000000.")
    var count: Int32?

    @Option(help: "Literal text before every generated code, e.g. SUMMER-.")
    var prefix: String?

    @Option(help: "Length of the random part of a generated code (default 8).")
    var length: Int32?

    @Option(help: "Alphabet of the random part (default: upper-case letters and digits without 0/O, 1/I/L).")
    var charset: String?

    @Flag(inversion: .prefixedNo, help: "Show progress on stderr (default: a bar when stderr is a terminal).")
    var progress: Bool?

    var generates: Bool { count != nil || prefix != nil || length != nil || charset != nil }

    func validate() throws {
        let explicit = !code.isEmpty || codesFile != nil
        guard explicit != generates else {
            throw ValidationError(
                explicit
                    ? "give either codes (--code, --codes-file) or a generator (--count, --prefix, --length, --charset), not both"
                    : "give codes with --code or --codes-file, or generate them with --count")
        }
        if generates {
            guard let count else { throw ValidationError("--count is required to generate codes") }
            guard (1...1_000_000).contains(count) else { throw ValidationError("--count must be between 1 and 1000000") }
            if let length, !(1...255).contains(length) { throw ValidationError("--length must be between 1 and 255") }
            if let charset, charset.isEmpty { throw ValidationError("--charset must not be empty") }
        }
    }

    /// The generator to send, when the codes are generated.
    var generator: CodeGenerator? {
        generates ? CodeGenerator(count: count ?? 0, prefix: prefix ?? "", length: length ?? 0, charset: charset ?? "") : nil
    }

    /// The listed codes: `--code` values, then the file's lines.
    func listedCodes() throws -> [String] {
        let codes = code + (try codesFile.map(Self.readCodes) ?? [])
        if codes.isEmpty { throw CLIFailure.input("\(codesFile ?? "--codes-file") holds no codes") }
        return codes
    }

    /// A bar on a terminal; lines with --progress in a pipe; else nothing.
    func progressDisplay() -> ProgressDisplay { ProgressDisplay(forced: progress) }

    /// One code per line, trimmed; blank lines skipped.
    static func readCodes(_ path: String) throws -> [String] {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else {
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CLIFailure.input("cannot read --codes-file \(path)")
            }
            data = contents
        }
        return String(decoding: data, as: UTF8.self)
            .split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }
}
