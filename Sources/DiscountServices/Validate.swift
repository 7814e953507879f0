import DiscountCore

/// Request checks that name the field and the rule they break.
enum Validate {
    static func nonEmpty(_ value: String, field: String, max: Int = 255) throws -> String {
        let trimmed = CodeText.trim(value)
        guard !trimmed.isEmpty else { throw ServiceError.invalidArgument(field: field, "\(field) must not be empty") }
        guard trimmed.count <= max else {
            throw ServiceError.invalidArgument(field: field, "\(field) must be at most \(max) characters")
        }
        return trimmed
    }

    static func codeText(_ value: String, field: String) throws -> String {
        switch CodeText.validated(value) {
        case .success(let text): return text
        case .failure(let problem): throw ServiceError.invalidArgument(field: field, "\(field) \(problem)")
        }
    }

    static func usageLimit(_ value: Int64?, field: String) throws -> Int64? {
        if let value, value < 1 { throw ServiceError.invalidArgument(field: field, "\(field) must be at least 1") }
        return value
    }

    static let defaultPageSize = 100
    static let maxPageSize = 1000

    static func pageSize(_ value: Int32, field: String = "page_size") throws -> Int {
        if value == 0 { return defaultPageSize }
        guard (1...Int32(maxPageSize)).contains(value) else {
            throw ServiceError.invalidArgument(field: field, "\(field) must be between 1 and \(maxPageSize)")
        }
        return Int(value)
    }

    static func currency(_ value: String, field: String = "currency") throws -> String {
        let upper = value.uppercased()
        guard upper.count == 3, upper.allSatisfy({ $0.isASCII && $0.isLetter }) else {
            throw ServiceError.invalidArgument(field: field, "\(field) must be a 3-letter ISO 4217 code")
        }
        return upper
    }
}
