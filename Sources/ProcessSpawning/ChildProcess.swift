import CProcessSpawning
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A child process started with posix_spawn, for the tests and tools that
/// start discountd, discountctl and friends.
///
/// Why not Foundation's `Process`: on Linux its `run()` reads past the end of
/// glibc's readdir buffer while listing /proc/self/fd
/// (swift-corelibs-foundation#5472, in Swift 6.3.1) and crashes the test
/// process now and then, the more often the more descriptors are open, as
/// they are with in-process daemons beside it.
public final class ChildProcess: Sendable {
    /// Where one of the child's standard streams goes.
    public enum Stream: Sendable {
        /// /dev/null.
        case null
        /// The parent's own.
        case inherit
        /// A file: read for standard input; created or appended to for output.
        case file(String)
    }

    /// How the child ended.
    public enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)

        /// As Foundation's `terminationStatus`: the exit status, or the signal's number.
        public var status: Int32 {
            switch self {
            case .exited(let code), .signaled(let code): code
            }
        }
    }

    public struct SpawnFailure: Error, CustomStringConvertible {
        public let executable: String
        public let code: Int32
        public var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    public let pid: pid_t
    /// Whether the child leads a process group of its own (`signalGroup`).
    public let leadsGroup: Bool
    private let ended = Mutex<Termination?>(nil)

    /// Starts `executable` with `arguments`. `environment` replaces the
    /// parent's when given. Descriptors other than 0, 1 and 2 are closed in
    /// the child, and every signal has its default action there.
    /// `ownGroup` starts it in a new process group, which the processes it
    /// starts join, so `signalGroup` reaches them too.
    public init(
        executable: String, arguments: [String] = [], environment: [String: String]? = nil,
        currentDirectory: String? = nil, stdin: Stream = .null, stdout: Stream = .inherit, stderr: Stream = .inherit,
        ownGroup: Bool = false
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (descriptor, stream) in [(CInt(0), stdin), (1, stdout), (2, stderr)] {
            switch stream {
            case .inherit: break
            case .null:
                posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
            case .file(let path):
                let flags = descriptor == 0 ? O_RDONLY : (O_WRONLY | O_CREAT | O_APPEND)
                posix_spawn_file_actions_addopen(&actions, descriptor, path, flags, 0o600)
            }
        }
        _ = process_spawning_add_close_from(&actions, 3)
        if let currentDirectory {
            _ = process_spawning_add_chdir(&actions, currentDirectory)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        var noSignal = sigset_t()
        sigemptyset(&noSignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setsigmask(&attributes, &noSignal)
        var flags = POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK
        if ownGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let environment = environment ?? ProcessInfo.processInfo.environment
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnFailure(executable: executable, code: code) }
        self.pid = pid
        leadsGroup = ownGroup
    }

    /// Sends `signal` (while the child has not been reaped).
    public func send(_ signal: Int32) {
        ended.withLock { termination in
            if termination == nil { _ = kill(pid, signal) }
        }
    }

    /// Sends `signal` to the child and every process in its group (it must
    /// have been started with `ownGroup`), while the child has not been
    /// reaped: until then its pid cannot name anyone else's group.
    public func signalGroup(_ signal: Int32) {
        precondition(leadsGroup, "signalGroup needs a child started with ownGroup")
        ended.withLock { termination in
            if termination == nil { _ = kill(-pid, signal) }
        }
    }

    /// Reaps the child if it has ended; nil while it runs.
    public func poll() -> Termination? {
        ended.withLock { termination in
            if termination == nil {
                var status: CInt = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    termination = Self.decode(status)
                }
            }
            return termination
        }
    }

    public var isRunning: Bool { poll() == nil }

    /// Waits for the child to end, without holding a thread of the
    /// cooperative pool (a blocked pool would starve the tests beside it).
    public func wait() async -> Termination {
        var pause = Duration.milliseconds(1)
        while true {
            if let termination = poll() { return termination }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(20))
        }
    }

    /// Waits at most `limit` for the child to end; nil when it still runs.
    public func wait(upTo limit: Duration) async -> Termination? {
        let end = ContinuousClock.now + limit
        var pause = Duration.milliseconds(1)
        while true {
            if let termination = poll() { return termination }
            guard ContinuousClock.now < end else { return nil }
            try? await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(20))
        }
    }

    /// Waits for the child to end, blocking this thread (for synchronous
    /// callers, off the cooperative pool).
    public func waitUntilExit() -> Termination {
        while true {
            if let termination = poll() { return termination }
            usleep(1_000)
        }
    }

    private static func decode(_ status: CInt) -> Termination {
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift cannot import as macros.
        let signal = status & 0x7f
        return signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
    }
}

extension ChildProcess {
    /// What a program run to its end printed, and how it ended.
    public struct Output: Sendable {
        public let termination: ChildProcess.Termination
        public let stdout: String
        public let stderr: String
        public var status: Int32 { termination.status }
    }

    /// Runs `executable` to its end, its output collected in temporary files
    /// (so that neither stream can fill up and stall it); `input` is its
    /// standard input.
    public static func run(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        currentDirectory: String? = nil, input: String? = nil
    ) async throws -> Output {
        try await collecting(input: input) { stdin, stdout, stderr in
            let child = try ChildProcess(
                executable: executable, arguments: arguments, environment: environment,
                currentDirectory: currentDirectory, stdin: stdin, stdout: stdout, stderr: stderr)
            return await child.wait()
        }
    }

    /// `run`, blocking this thread until the program ends.
    public static func runSynchronously(
        _ executable: String, _ arguments: [String] = [], environment: [String: String]? = nil,
        currentDirectory: String? = nil, input: String? = nil
    ) throws -> Output {
        try collectingSynchronously(input: input) { stdin, stdout, stderr in
            try ChildProcess(
                executable: executable, arguments: arguments, environment: environment,
                currentDirectory: currentDirectory, stdin: stdin, stdout: stdout, stderr: stderr
            ).waitUntilExit()
        }
    }

    private struct Files {
        let folder: String
        let stdin: Stream
        var outPath: String { folder + "/out" }
        var errPath: String { folder + "/err" }

        init(input: String?) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if let input {
                try Data(input.utf8).write(to: URL(fileURLWithPath: folder + "/in"))
                stdin = .file(folder + "/in")
            } else {
                stdin = .null
            }
        }

        func output(_ termination: Termination) -> Output {
            defer { try? FileManager.default.removeItem(atPath: folder) }
            let read = { (path: String) in
                String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
            }
            return Output(termination: termination, stdout: read(outPath), stderr: read(errPath))
        }
    }

    private static func collecting(
        input: String?, _ body: (Stream, Stream, Stream) async throws -> Termination
    ) async throws -> Output {
        let files = try Files(input: input)
        do {
            return files.output(try await body(files.stdin, .file(files.outPath), .file(files.errPath)))
        } catch {
            try? FileManager.default.removeItem(atPath: files.folder)
            throw error
        }
    }

    private static func collectingSynchronously(
        input: String?, _ body: (Stream, Stream, Stream) throws -> Termination
    ) throws -> Output {
        let files = try Files(input: input)
        do {
            return files.output(try body(files.stdin, .file(files.outPath), .file(files.errPath)))
        } catch {
            try? FileManager.default.removeItem(atPath: files.folder)
            throw error
        }
    }
}
