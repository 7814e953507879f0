/// A plain-text table: a header, a rule, and columns padded to their widest
/// cell; the first column left-aligned, the others right-aligned (numbers).
public struct TextTable: Sendable, Equatable {
    public var header: [String]
    public var rows: [[String]]

    public init(header: [String], rows: [[String]] = []) {
        self.header = header
        self.rows = rows
    }

    public func render() -> String {
        let columns = ([header] + rows).map(\.count).max() ?? 0
        let padded = ([header] + rows).map { $0 + Array(repeating: "", count: columns - $0.count) }
        let widths = (0..<columns).map { column in padded.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                let pad = String(repeating: " ", count: widths[index] - cell.count)
                return index == 0 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        let head = line(padded[0])
        let rule = String(repeating: "-", count: head.count)
        return ([head, rule] + padded.dropFirst().map(line)).map { trimTrailing($0) }.joined(separator: "\n")
    }

    /// 1234567 → "1,234,567"
    public static func grouped(_ value: UInt64) -> String {
        var digits = String(value)
        var groups: [Substring] = []
        while digits.count > 3 {
            groups.insert(Substring(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(Substring(digits), at: 0)
        return groups.joined(separator: ",")
    }

    private func trimTrailing(_ text: String) -> String {
        var text = text
        while text.last == " " { text.removeLast() }
        return text
    }
}
