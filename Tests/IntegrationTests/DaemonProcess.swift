import DiscountClient
import Foundation

/// A real discountd process on a temporary socket and data folder.
final class DaemonProcess: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let process = Process()
    private let stderrPipe = Pipe()

    /// Where `swift build` put the products: beside this test bundle.
    static let binDirectory: URL = {
        if let override = ProcessInfo.processInfo.environment["DISCOUNTD_BIN_DIR"] {
            return URL(fileURLWithPath: override)
        }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("discountd").path),
            directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory
    }()

    static func tool(_ name: String) -> URL { binDirectory.appendingPathComponent(name) }

    /// `environment` is added to the test's own.
    init(arguments: [String] = [], directory: URL? = nil, environment: [String: String] = [:]) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("discountd-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        socketPath = self.directory.appendingPathComponent("d.sock").path
        process.executableURL = Self.tool("discountd")
        process.arguments = ["--socket", socketPath, "--data-dir", self.directory.appendingPathComponent("data").path,
                             "--log-level", "warning"] + arguments
        process.standardError = stderrPipe
        process.standardOutput = FileHandle.nullDevice
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
    }

    /// Starts the daemon and waits until its socket answers.
    static func start(arguments: [String] = [], environment: [String: String] = [:]) async throws -> DaemonProcess {
        let daemon = try DaemonProcess(arguments: arguments, environment: environment)
        try await daemon.start()
        return daemon
    }

    func start() async throws {
        try process.run()
        for _ in 0..<500 {
            if let client = try? await DiscountClient.connect(socketPath: socketPath) {
                await client.close()
                return
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DaemonError.didNotStart(stderr: String(decoding: stderrPipe.fileHandleForReading.availableData, as: UTF8.self))
    }

    func client(_ options: DiscountClient.Options = .init()) async throws -> DiscountClient {
        try await DiscountClient.connect(socketPath: socketPath, options: options)
    }

    /// Sends SIGTERM and returns the exit status.
    @discardableResult
    func stop() async -> Int32 {
        if process.isRunning { process.terminate() }
        while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        return process.terminationStatus
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }

    enum DaemonError: Error { case didNotStart(stderr: String) }
}

/// Runs `body` against a fresh daemon, then stops and removes it.
func withDaemon(arguments: [String] = [], _ body: (DaemonProcess) async throws -> Void) async throws {
    let daemon = try await DaemonProcess.start(arguments: arguments)
    defer { daemon.remove() }
    do {
        try await body(daemon)
    } catch {
        await daemon.stop()
        throw error
    }
    await daemon.stop()
}

/// Runs discountctl with `arguments`; returns exit status, stdout and stderr.
func discountctl(
    _ arguments: [String], environment: [String: String] = [:]
) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await runTool(DaemonProcess.tool("discountctl"), arguments, environment: environment)
}

/// Runs the discountd binary with `arguments` to its end.
func runDiscountd(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await runTool(DaemonProcess.tool("discountd"), arguments)
}

/// Runs a program to its end on a thread of its own: waiting for a process
/// on the tests' few cooperative threads would starve every other test (and
/// the in-process daemons' handlers) running beside it.
func runTool(
    _ tool: URL, _ arguments: [String], environment: [String: String] = [:]
) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await offThePool {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Both pipes at once: a child that fills one while we wait on the other would hang.
        let stderr = LockedData()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            stderr.value = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr.value, as: UTF8.self))
    }
}

/// Bytes handed from a reading thread to the one that waits for it.
final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    var value: Data {
        get { lock.withLock { data } }
        set { lock.withLock { data = newValue } }
    }
}

/// Runs blocking work on a Dispatch thread and awaits it.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
