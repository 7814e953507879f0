import Foundation
import Testing

/// Every `discountctl` call the README shows is one discountctl accepts as
/// typed. Run against a socket that is not there, a call gets as far as
/// connecting (exit 69), never to a usage error (64): the README once showed
/// `--name Spring launch` unquoted, which the shell splits.
@Suite struct ReadmeExamplesTests {
    static let readme = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("README.md")

    @Test func everyDiscountctlCallParsesAsTyped() async throws {
        let calls = Self.discountctlCalls(in: try String(contentsOf: Self.readme, encoding: .utf8))
        #expect(calls.count >= 20, "the README's calls were found: \(calls)")
        for call in calls {
            let result = try await discountctl(call + ["--socket", "/nonexistent/discountd.sock"])
            #expect(result.status != 64, "discountctl \(call.joined(separator: " ")): \(result.stderr)")
        }
    }

    @Test func callsAreFoundAndSplitAsAShellWould() {
        let text = """
            $ discountctl create-campaign --name "Spring launch" --discount-percent 10
            $ RULE=$(discountctl create-price-rule --title 'Summer sale' | jq -r .price_rule.id)
            $ discountctl redeem-discount-code --code  summer15
            $ scripts/run
            """
        #expect(
            Self.discountctlCalls(in: text) == [
                ["create-campaign", "--name", "Spring launch", "--discount-percent", "10"],
                ["create-price-rule", "--title", "Summer sale"],
                ["redeem-discount-code", "--code", "summer15"],
            ])
    }

    /// The arguments of each `$ discountctl …` line and `$(discountctl … | …)`
    /// capture, without the program's name.
    static func discountctlCalls(in text: String) -> [[String]] {
        text.split(separator: "\n").compactMap { line -> [String]? in
            guard line.hasPrefix("$ "), let start = line.range(of: "discountctl ") else { return nil }
            let command = line[start.upperBound...].prefix { $0 != "|" && $0 != ")" }
            return shellWords(command)
        }
    }

    /// Splits on unquoted blanks; single and double quotes group (no escapes
    /// or expansions: the README uses none inside discountctl's arguments).
    static func shellWords(_ text: Substring) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        for character in text {
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
            } else if character == "\"" || character == "'" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }
}
