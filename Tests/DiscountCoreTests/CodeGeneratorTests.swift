import SystemRandom
import Testing

@testable import DiscountCore

@Suite struct CodeGeneratorTests {
    @Test func defaultAlphabetHasNoLookAlikes() throws {
        let generator = try CodeGenerator(prefix: "SALE-", length: 10)
        for code in generator.generate(2000) {
            #expect(code.hasPrefix("SALE-"))
            #expect(code.count == 15)
            #expect(!code.dropFirst(5).contains { "0O1IL".contains($0) })
        }
    }

    @Test func generatesDistinctCodes() throws {
        let codes = try CodeGenerator(length: 6).generate(50_000)
        #expect(Set(codes).count == 50_000)
    }

    @Test func knowsWhenItCannotFill() throws {
        let generator = try CodeGenerator(length: 2, charset: "AB")
        #expect(generator.capacity == 4)
        #expect(generator.canFill(2))
        #expect(!generator.canFill(3))
    }

    @Test func capacityCountsCaseInsensitively() throws {
        #expect(try CodeGenerator(length: 3, charset: "aA").capacity == 1)
    }

    @Test func charsetsArePrintableASCII() {
        // Unicode characters can fold or compose into one another, which made
        // `capacity` promise more distinct codes than exist (and a draw loop
        // that could not end).
        #expect(throws: GeneratorProblem.charsetNotPrintable) { try CodeGenerator(charset: "fﬁi") }
        #expect(throws: GeneratorProblem.charsetNotPrintable) { try CodeGenerator(charset: "AB C") }
    }

    @Test func drawingEndsEvenWhenAskedForMoreThanExist() throws {
        let generator = try CodeGenerator(length: 1, charset: "AB")
        #expect(generator.generate(5).count == 2)
    }

    @Test func rejectsBadParameters() {
        #expect(throws: GeneratorProblem.badLength(0)) { try CodeGenerator(length: 0) }
        #expect(throws: GeneratorProblem.charsetTooSmall) { try CodeGenerator(charset: "AAAA") }
        #expect(throws: GeneratorProblem.codeTooLong) {
            try CodeGenerator(prefix: String(repeating: "P", count: 250), length: 10)
        }
    }
}
