import CoreMetrics

#if canImport(Glibc)
import Glibc
#endif

/// The `process_*` metrics every Prometheus client library exports (CPU time,
/// memory, descriptors, start time), read from /proc/self at each scrape.
struct ProcessFigures: Sendable {
    enum Label {
        static let cpuSeconds = "process_cpu_seconds_total"
        static let residentMemory = "process_resident_memory_bytes"
        static let virtualMemory = "process_virtual_memory_bytes"
        static let openFDs = "process_open_fds"
        static let maxFDs = "process_max_fds"
        static let startTime = "process_start_time_seconds"
    }

    private let cpuSeconds = CounterMirror(label: Label.cpuSeconds)
    private let residentMemory = Gauge(label: Label.residentMemory)
    private let virtualMemory = Gauge(label: Label.virtualMemory)
    private let openFDs = Gauge(label: Label.openFDs)
    private let maxFDs = Gauge(label: Label.maxFDs)
    private let startTime = Gauge(label: Label.startTime)

    func update() {
        let ticksPerSecond = Double(sysconf(Int32(_SC_CLK_TCK)))
        if let stat = Self.statFields() {
            // proc(5): utime 14, stime 15, starttime 22 (ticks after boot), vsize 23 (bytes), rss 24 (pages).
            cpuSeconds.update(to: (stat.number(14) + stat.number(15)) / ticksPerSecond)
            virtualMemory.record(stat.number(23))
            residentMemory.record(stat.number(24) * Double(sysconf(Int32(_SC_PAGESIZE))))
            if let bootTime = Self.bootTime() { startTime.record(bootTime + stat.number(22) / ticksPerSecond) }
        }
        openFDs.record(Self.openDescriptors())
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 { maxFDs.record(Double(limit.rlim_cur)) }
    }

    /// /proc/self/stat, numbered as in proc(5): the command name (2) may hold
    /// spaces, so fields are counted from the state (3) after its closing parenthesis.
    private struct StatFields {
        let fromState: [Substring]
        func number(_ field: Int) -> Double {
            let index = field - 3
            return index < fromState.count ? Double(fromState[index]) ?? 0 : 0
        }
    }

    private static func statFields() -> StatFields? {
        guard let text = readFile("/proc/self/stat"), let close = text.lastIndex(of: ")") else { return nil }
        return StatFields(fromState: text[text.index(after: close)...].split(separator: " "))
    }

    /// Seconds since the epoch at boot: `btime` in /proc/stat.
    private static func bootTime() -> Double? {
        readFile("/proc/stat")?.split(separator: "\n").first { $0.hasPrefix("btime ") }
            .flatMap { Double($0.dropFirst("btime ".count)) }
    }

    private static func openDescriptors() -> Double {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            if entry.pointee.d_name.0 != CChar(UInt8(ascii: ".")) { count += 1 }
        }
        return Double(count - 1)  // not the descriptor that reads the directory
    }

    private static func readFile(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
