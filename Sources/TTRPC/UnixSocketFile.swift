#if canImport(Glibc)
import Glibc
#endif

/// Prepares the path a Unix socket server binds to, as containerd's socket
/// helper does: checks its length, replaces a stale socket left by a crash, and
/// refuses to touch one that a live server still answers on.
public enum UnixSocketFile {
    public enum Failure: Error, CustomStringConvertible {
        case pathTooLong(String, limit: Int)
        case inUse(String)
        case notASocket(String)
        case system(String, errno: Int32)

        public var description: String {
            switch self {
            case .pathTooLong(let path, let limit):
                "socket path \(path) is longer than \(limit) bytes"
            case .inUse(let path):
                "another server is listening on \(path)"
            case .notASocket(let path):
                "\(path) exists and is not a socket; refusing to replace it"
            case .system(let what, let code):
                "\(what): \(String(cString: strerror(code)))"
            }
        }
    }

    /// `sun_path` holds 108 bytes including the terminating NUL.
    public static let maxPathLength = 107

    /// Makes `path` free to bind: nothing there, or a stale socket removed.
    public static func prepare(_ path: String) throws(Failure) {
        guard path.utf8.count <= maxPathLength else { throw .pathTooLong(path, limit: maxPathLength) }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
        if isAnswering(path) { throw .inUse(path) }
        guard unlink(path) == 0 || errno == ENOENT else { throw .system("removing stale socket \(path)", errno: errno) }
    }

    /// Sets the socket file's permission bits (0600, or 0660 for a group) and group.
    public static func restrict(_ path: String, mode: mode_t, group: gid_t? = nil) throws(Failure) {
        if let group, chown(path, uid_t.max, group) != 0 {
            throw .system("setting group of \(path)", errno: errno)
        }
        guard chmod(path, mode) == 0 else { throw .system("setting mode of \(path)", errno: errno) }
    }

    /// Whether a server accepts connections on `path` right now.
    static func isAnswering(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(maxPathLength))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        return result == 0
    }
}
