import DiscountClient
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Progress of long work on stderr: a bar redrawn in place on a terminal,
/// plain `progress: N/M` lines when asked for in a pipe, nothing otherwise
/// (so scripts reading stderr see only errors).
final class ProgressDisplay {
    enum Style { case bar, lines, off }

    let style: Style
    private let started = ContinuousClock.now
    private var lastDraw: ContinuousClock.Instant?
    private var drawn = false

    /// `forced`: --progress / --no-progress; by default a bar when stderr is a terminal.
    init(forced: Bool? = nil, isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        switch (forced, isTerminal) {
        case (false, _), (nil, false): style = .off
        case (_, true): style = .bar
        case (true, false): style = .lines
        }
    }

    /// `total` 0 when unknown (a count is shown instead of a bar).
    func update(processed: Int64, total: Int64) {
        switch style {
        case .off: return
        case .lines: FileHandleOutput.standardError(total > 0 ? "progress: \(processed)/\(total)" : "progress: \(processed)")
        case .bar:
            let now = ContinuousClock.now
            // Redraw at most 10 times a second, but always the last update.
            if let lastDraw, now - lastDraw < .milliseconds(100), processed < total { return }
            lastDraw = now
            drawn = true
            write("\r" + Self.bar(processed: processed, total: total, elapsed: now - started) + "\u{1B}[K")
        }
    }

    func update(_ progress: BulkProgress) { update(processed: progress.processed, total: progress.total) }

    /// Ends the bar's line so what follows starts on its own.
    func finish() {
        if drawn { write("\n") }
        drawn = false
    }

    /// `[##########··········]  50%  50000/100000  41233/s`
    static func bar(processed: Int64, total: Int64, elapsed: Duration, width: Int = 30) -> String {
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = seconds > 0 ? "  \(Int64(Double(processed) / seconds))/s" : ""
        guard total > 0 else { return "\(processed) done\(rate)" }
        let fraction = min(1, max(0, Double(processed) / Double(total)))
        let filled = Int(fraction * Double(width))
        let percent = String(Int(fraction * 100)).leftPadded(to: 3)
        return "[" + String(repeating: "#", count: filled) + String(repeating: "·", count: width - filled) + "] "
            + "\(percent)%  \(processed)/\(total)\(rate)"
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
