import ArgumentParser

#if canImport(Glibc)
import Glibc
#endif

/// `--output json|table`: JSON for programs, a table for people.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case json, table

    /// A table when stdout is a terminal (a person reads it), JSON otherwise
    /// (a pipe or a file: a program reads it).
    static var automatic: OutputFormat { isatty(STDOUT_FILENO) == 1 ? .table : .json }

    /// Prints `value` in this format: the table is drawn from the same JSON.
    func print<Value: Encodable>(_ value: Value) throws {
        switch self {
        case .json: try JSONOutput.print(value)
        case .table: Swift.print(try TableOutput.render(value), terminator: "")
        }
    }
}
