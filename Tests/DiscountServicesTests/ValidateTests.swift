import Testing

@testable import DiscountServices

/// Free-text fields: trimmed, 1 to `max` scalars, nothing invisible.
@Suite struct ValidateTests {
    func refusal(_ value: String, max: Int = 255) -> String? {
        do {
            _ = try Validate.nonEmpty(value, field: "name", max: max)
            return nil
        } catch let error as ServiceError {
            #expect(error.field == "name" && error.reason == "INVALID_ARGUMENT")
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func textIsTrimmedAndMustNotBeEmpty() throws {
        #expect(try Validate.nonEmpty("  spring sale \n", field: "name") == "spring sale")
        #expect(refusal(" \t ") == "name must not be empty")
    }

    @Test func lengthCountsScalarsAsciiOrNot() {
        #expect(refusal(String(repeating: "a", count: 255)) == nil)
        #expect(refusal(String(repeating: "a", count: 256)) == "name must be at most 255 characters")
        #expect(refusal(String(repeating: "é", count: 255)) == nil, "two bytes each, one scalar")
        #expect(refusal(String(repeating: "é", count: 256)) == "name must be at most 255 characters")
        #expect(refusal(String(repeating: "😀", count: 10), max: 10) == nil)
        #expect(refusal("abcdefghijk", max: 10) == "name must be at most 10 characters")
    }

    @Test func invisibleCharactersAreRefusedInAnyText() {
        #expect(refusal("spring\u{7F}sale")?.contains("U+7F") == true)
        #expect(refusal("spring\u{1}sale")?.contains("U+1") == true)
        #expect(refusal("spring\u{200B}sale")?.contains("U+200B") == true)
        #expect(refusal("café\u{202E}")?.contains("U+202E") == true)
        #expect(refusal("Frühling") == nil)
    }
}
