import ArgumentParser
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive `flock` on `discountd.lock` in the data folder, held for the
/// process's lifetime: a second daemon on the same folder would keep a cache
/// that drifts from the first one's writes, so it must not start at all.
/// The kernel drops the lock when the process exits, however it exits.
final class DataDirectoryLock: Sendable {
    static let fileName = "discountd.lock"
    private let descriptor: Int32

    enum Failure: Error, CustomStringConvertible {
        /// Another process holds the lock; its pid as it wrote it, when readable.
        case held(path: String, holder: String?)
        case system(String, errno: Int32)

        var description: String {
            switch self {
            case .held(let path, let holder):
                "another discountd\(holder.map { " (pid \($0))" } ?? "") is using this data folder (\(path) is locked); stop it first or use another --data-dir"
            case .system(let what, let code):
                "\(what): \(String(cString: strerror(code)))"
            }
        }
    }

    /// Takes the lock or throws `.held` at once (never waits).
    init(dataDirectory: String) throws(Failure) {
        let path = dataDirectory + "/" + Self.fileName
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .system("opening \(path)", errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readHolder(fd)
            close(fd)
            if code == EWOULDBLOCK { throw .held(path: path, holder: holder) }
            throw .system("locking \(path)", errno: code)
        }
        // The holder's pid, for the message a second daemon prints.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        descriptor = fd
    }

    /// The lock, or the process exits with `Discountd.exitDataDirectoryInUse`
    /// (another daemon holds it) after saying why.
    static func takeOrExit(_ dataDirectory: String, logger: Logger) throws -> DataDirectoryLock {
        do {
            return try DataDirectoryLock(dataDirectory: dataDirectory)
        } catch {
            logger.critical("data folder in use", metadata: ["error": "\(error)"])
            printError("Error: \(error)")
            if case .held = error { throw ExitCode(Discountd.exitDataDirectoryInUse) }
            throw ExitCode.failure
        }
    }

    private static func readHolder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).filter(\.isNumber)
        return text.isEmpty ? nil : text
    }

    deinit { close(descriptor) }
}
