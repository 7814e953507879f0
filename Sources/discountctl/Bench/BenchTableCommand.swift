import ArgumentParser
import DiscountBench
import Foundation

/// `discountctl bench table`: scripts/load-test's table from its measurements.
struct BenchTableCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "Print the comparison table (discountd, peer, ratio, target, met) from measurement JSON lines.",
        discussion: """
            Each line: {"scenario":…,"shape":"4x64","server":"discountd"|"go-echo"|"c-floor"|"postgres",\
            "calls_per_s":…,"p50_us":…,"p99_us":…,"errors":…} or, for memory, {"rss_mb":…}. Several runs of the \
            same scenario, shape and server are folded into their best.
            """)

    @Argument(help: "Files of measurement JSON lines (- for standard input).")
    var files: [String] = ["-"]

    func run() throws {
        var measurements: [BenchMeasurement] = []
        let decoder = JSONDecoder()
        for file in files {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else {
                    FileHandleOutput.standardError("error: cannot read \(file)")
                    throw ExitCode(66)
                }
                data = contents
            }
            for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated()
            where !line.allSatisfy(\.isWhitespace) {
                do {
                    measurements.append(try decoder.decode(BenchMeasurement.self, from: Data(line.utf8)))
                } catch {
                    FileHandleOutput.standardError("error: \(file):\(number + 1): not a measurement: \(error)")
                    throw ExitCode(65)
                }
            }
        }
        print(Comparison.table(measurements).render())
    }
}
