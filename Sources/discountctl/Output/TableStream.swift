import Foundation

/// A table printed a chunk at a time (streams): the header and column widths
/// come from the first chunk, later rows are padded to them.
struct TableStream {
    let columns: [String]
    private var widths: [Int]?

    init(columns: [String]) { self.columns = columns }

    mutating func print<Row: Encodable>(_ rows: [Row]) throws {
        let values = try rows.map { row -> [String: JSONValue] in
            let data = try JSONOutput.encoder(pretty: false).encode(row)
            guard case .object(let object) = try JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
            return object
        }
        let cells = values.map { row in columns.map { row[$0].map(TableOutput.cell) ?? "" } }
        var text = ""
        if widths == nil {
            let measured = columns.indices.map { i in max(columns[i].count, cells.map { $0[i].count }.max() ?? 0) }
            widths = measured
            text += line(columns.map { $0.uppercased() }, measured)
        }
        for row in cells { text += line(row, widths!) }
        Swift.print(text, terminator: "")
    }

    private func line(_ cells: [String], _ widths: [Int]) -> String {
        var text = zip(cells, widths).map { cell, width in
            cell.count >= width ? cell : cell + String(repeating: " ", count: width - cell.count)
        }.joined(separator: "  ")
        while text.last == " " { text.removeLast() }
        return text + "\n"
    }
}
