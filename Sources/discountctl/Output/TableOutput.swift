import Foundation

/// Draws any command's JSON answer as text for people, with no per-command
/// code: scalars (and nested objects, flattened to `a.b`) become `key  value`
/// lines; each top-level array of objects becomes a table, one column per key.
enum TableOutput {
    static func render<Value: Encodable>(_ value: Value) throws -> String {
        let data = try JSONOutput.encoder(pretty: false).encode(value)
        return render(try JSONDecoder().decode(JSONValue.self, from: data))
    }

    static func render(_ json: JSONValue) -> String {
        if let rows = rows(json) { return grid(rows) }
        guard case .object(let object) = json else { return cell(json) + "\n" }
        var pairs: [(String, String)] = []
        var tables: [(String, [[String: JSONValue]])] = []
        for key in object.keys.sorted() {
            if let rows = rows(object[key]!) {
                tables.append((key, rows))
            } else {
                flatten(object[key]!, prefix: key, into: &pairs)
            }
        }
        var text = ""
        let width = pairs.map(\.0.count).max() ?? 0
        for (key, value) in pairs { text += pad(key, width) + "  " + value + "\n" }
        for (key, rows) in tables {
            if !text.isEmpty { text += "\n" }
            text += "\(key) (\(rows.count)):\n" + grid(rows)
        }
        return text
    }

    /// Rows as aligned columns under a header; nested objects are flattened.
    static func grid(_ rows: [[String: JSONValue]]) -> String {
        guard !rows.isEmpty else { return "(none)\n" }
        let flat = rows.map { row -> [String: String] in
            var pairs: [(String, String)] = []
            for key in row.keys { flatten(row[key]!, prefix: key, into: &pairs) }
            return Dictionary(pairs, uniquingKeysWith: { first, _ in first })
        }
        let columns = Set(flat.flatMap(\.keys)).sorted(by: columnOrder)
        let widths = columns.map { column in
            max(column.count, flat.map { ($0[column] ?? "").count }.max() ?? 0)
        }
        func line(_ cells: [String]) -> String {
            var text = zip(cells, widths).map { pad($0, $1) }.joined(separator: "  ")
            while text.last == " " { text.removeLast() }
            return text + "\n"
        }
        var text = line(columns.map { $0.uppercased() })
        for row in flat { text += line(columns.map { row[$0] ?? "" }) }
        return text
    }

    /// Identifiers first (`id`, `code`, `name`…), the rest alphabetically.
    private static func columnOrder(_ a: String, _ b: String) -> Bool {
        let first = ["id", "code", "discount_code", "name", "title", "status"]
        let ia = first.firstIndex(of: a) ?? first.count
        let ib = first.firstIndex(of: b) ?? first.count
        return ia != ib ? ia < ib : a < b
    }

    /// The rows of an array of objects (an empty array too: a table of none).
    private static func rows(_ json: JSONValue) -> [[String: JSONValue]]? {
        guard case .array(let array) = json else { return nil }
        var rows: [[String: JSONValue]] = []
        for element in array {
            guard case .object(let object) = element else { return nil }
            rows.append(object)
        }
        return rows
    }

    private static func flatten(_ json: JSONValue, prefix: String, into pairs: inout [(String, String)]) {
        if case .object(let object) = json, !object.isEmpty {
            for key in object.keys.sorted() { flatten(object[key]!, prefix: "\(prefix).\(key)", into: &pairs) }
        } else {
            pairs.append((prefix, cell(json)))
        }
    }

    /// One value as it reads in a cell: null as `-`, lists comma-separated.
    static func cell(_ json: JSONValue) -> String {
        switch json {
        case .null: "-"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .string(let value): value
        case .array(let values): values.map(cell).joined(separator: ",")
        case .object(let object):
            "{" + object.keys.sorted().map { "\($0): \(cell(object[$0]!))" }.joined(separator: ", ") + "}"
        }
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
