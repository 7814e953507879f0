import Testing

@testable import DiscountCore

@Suite struct CodeTextTests {
    @Test func trimsAndUpperCasesTheKey() {
        #expect(CodeText.validated("  summer10 \n") == .success("summer10"))
        #expect(CodeText.canonical("  summer10 ") == "SUMMER10")
    }

    @Test func rejectsEmptyLongAndUnprintable() {
        #expect(CodeText.validated("   ") == .failure(.empty))
        #expect(CodeText.validated(String(repeating: "A", count: 256)) == .failure(.tooLong(256)))
        #expect(CodeText.validated(String(repeating: "A", count: 255)) == .success(String(repeating: "A", count: 255)))
        #expect(CodeText.validated("AB\u{7}C") == .failure(.notPrintable("\u{7}")))
    }

    @Test func countsScalarsAndBytesNotGraphemes() {
        // One grapheme cluster, 1,001 scalars: it used to pass as 1 character.
        let stacked = "A" + String(repeating: "\u{301}", count: 1_000)
        #expect(stacked.count == 1)
        #expect(CodeText.validated(stacked) == .failure(.tooManyBytes(2_001)))
        let wide = String(repeating: "é", count: 256)
        #expect(CodeText.validated(wide) == .failure(.tooLong(256)))
        #expect(CodeText.validated(String(repeating: "é", count: 255)) == .success(String(repeating: "é", count: 255)))
    }

    @Test func refusesInvisibleCharacters() {
        for scalar in ["\u{0}", "\u{85}", "\u{2028}", "\u{2029}", "\u{202E}", "\u{200B}", "\u{FEFF}", "\u{E000}"] {
            #expect(
                CodeText.validated("A\(scalar)B") == .failure(.notPrintable(scalar.unicodeScalars.first!)),
                "\(scalar.unicodeScalars.first!.value)")
        }
        #expect(CodeText.validated("CAFÉ-10") == .success("CAFÉ-10"))
    }

    @Test func keysAreNFKCCaseFoldedWithASCIIUpperCased() {
        #expect(CodeText.canonical("ＳＵＭＭＥＲ") == "SUMMER")
        #expect(CodeText.canonical("CAF\u{C9}") == CodeText.canonical("cafe\u{301}"))
        #expect(CodeText.canonical("Straße") == CodeText.canonical("STRASSE"))
        #expect(CodeText.canonical("ﬁre") == "FIRE")
        #expect(CodeText.canonical("ΣΊΣΥΦΟΣ") == CodeText.canonical("σίσυφος"))
        // ASCII keys are what they always were (stored keys need no migration).
        #expect(CodeText.canonical("vip-7k") == "VIP-7K")
    }

    /// isRefused answers ASCII without the Unicode tables: the same answer as the tables give.
    @Test func asciiIsRefusedExactlyWhereUnicodeSaysControl() {
        for value in UInt32(0)..<0x80 {
            let scalar = Unicode.Scalar(value)!
            let refusedCategories: [Unicode.GeneralCategory] = [
                .control, .format, .lineSeparator, .paragraphSeparator, .privateUse, .surrogate, .unassigned,
            ]
            #expect(
                CodeText.isRefused(scalar) == refusedCategories.contains(scalar.properties.generalCategory),
                "U+\(String(value, radix: 16))")
        }
    }
}
