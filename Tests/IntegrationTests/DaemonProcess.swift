import DiscountClient
import DiscountTestSupport
import Foundation
import ProcessSpawning
import Testing

/// A real discountd process on a temporary socket and data folder. Its
/// stderr goes to `stderrPath` (appended to across restarts on one folder).
final class DaemonProcess: @unchecked Sendable {
    let directory: URL
    let socketPath: String
    let stderrPath: String
    let arguments: [String]
    /// Added to the test's own environment; set before `start()`.
    var environment: [String: String]
    /// Start it in a process group of its own, so `signalGroup` also reaches
    /// what it starts (Swift's backtracer, when it crashes).
    let ownGroup: Bool
    private var child: ChildProcess?

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

    init(
        arguments: [String] = [], directory: URL? = nil, environment: [String: String] = [:], ownGroup: Bool = false
    ) throws {
        self.directory = try makeFolder(directory, orTemporary: "discountd-test")
        socketPath = self.directory.appendingPathComponent("d.sock").path
        stderrPath = self.directory.appendingPathComponent("daemon.stderr").path
        self.arguments =
            [
                "--socket", socketPath, "--data-dir", self.directory.appendingPathComponent("data").path,
                "--log-level", "warning",
            ] + arguments
        self.environment = environment
        self.ownGroup = ownGroup
    }

    /// Starts the daemon and waits until its socket answers.
    static func start(arguments: [String] = [], environment: [String: String] = [:]) async throws -> DaemonProcess {
        let daemon = try DaemonProcess(arguments: arguments, environment: environment)
        try await daemon.start()
        return daemon
    }

    /// Starts the process without waiting for it.
    func launch() throws {
        child = try ChildProcess(
            executable: Self.tool("discountd").path, arguments: arguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            stdout: .null, stderr: .file(stderrPath), ownGroup: ownGroup)
    }

    func start() async throws {
        try launch()
        for _ in 0..<500 {
            if let client = try? await DiscountClient.connect(socketPath: socketPath) {
                await client.close()
                return
            }
            guard isRunning else { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DaemonError.didNotStart(stderr: stderr)
    }

    func client(_ options: DiscountClient.Options = .forTests) async throws -> DiscountClient {
        try await DiscountClient.connect(socketPath: socketPath, options: options)
    }

    /// Starts it and waits for it to end (for daemons that must refuse to start).
    func runToEnd() async throws -> ChildProcess.Termination {
        try launch()
        return await wait()
    }

    var pid: pid_t { child?.pid ?? 0 }
    var isRunning: Bool { child?.isRunning ?? false }
    var stderr: String { String(decoding: FileManager.default.contents(atPath: stderrPath) ?? Data(), as: UTF8.self) }

    func signal(_ signal: Int32) { child?.send(signal) }

    /// The daemon and what it started (needs `ownGroup`).
    func signalGroup(_ signal: Int32) { child?.signalGroup(signal) }

    /// Waits for it to end.
    func wait() async -> ChildProcess.Termination {
        guard let child else { return .exited(0) }
        return await child.wait()
    }

    /// Sends SIGTERM and returns the exit status. A daemon still running a
    /// minute later is a failure, and is killed: a hung daemon must not hang
    /// the whole suite with it.
    @discardableResult
    func stop(sourceLocation: SourceLocation = #_sourceLocation) async -> Int32 {
        signal(SIGTERM)
        guard let child else { return 0 }
        if let termination = await child.wait(upTo: .seconds(60)) { return termination.status }
        Issue.record("discountd did not stop within 60 s of SIGTERM; killed", sourceLocation: sourceLocation)
        signal(SIGKILL)
        return await child.wait().status
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
    try await withCleanup {
        try await body(daemon)
    } then: {
        await daemon.stop()
    }
}

/// Runs discountctl with `arguments`; returns exit status, stdout and stderr.
func discountctl(
    _ arguments: [String], environment: [String: String] = [:]
) async throws -> (status: Int32, stdout: String, stderr: String) {
    // The tests' generous deadline (see DiscountClient.Options.forTests) unless a test sets its own.
    try await runTool(
        DaemonProcess.tool("discountctl"), arguments, environment: ["DISCOUNTD_TIMEOUT": "60"].merging(environment) { $1 })
}

/// Runs the discountd binary with `arguments` to its end.
func runDiscountd(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
    try await runTool(DaemonProcess.tool("discountd"), arguments)
}

/// Runs a program to its end.
func runTool(
    _ tool: URL, _ arguments: [String], environment: [String: String] = [:]
) async throws -> (status: Int32, stdout: String, stderr: String) {
    let output = try await ChildProcess.run(
        tool.path, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
    return (output.status, output.stdout, output.stderr)
}

/// Runs blocking work on a Dispatch thread and awaits it.
func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}
