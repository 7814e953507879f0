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
        /// Connecting to an existing socket failed other than by refusal
        /// (EACCES, say): it may be live, so it is left alone.
        case unprobeable(String, errno: Int32)
        case system(String, errno: Int32)

        public var description: String {
            switch self {
            case .pathTooLong(let path, let limit):
                "socket path \(path) is longer than \(limit) bytes"
            case .inUse(let path):
                "another server is listening on \(path)"
            case .notASocket(let path):
                "\(path) exists and is not a socket; refusing to replace it"
            case .unprobeable(let path, let code):
                "cannot tell whether a server listens on \(path) (connect: \(String(cString: strerror(code)))); refusing to replace it"
            case .system(let what, let code):
                "\(what): \(String(cString: strerror(code)))"
            }
        }
    }

    /// `sun_path` holds 108 bytes including the terminating NUL.
    public static let maxPathLength = 107

    /// Makes `path` free to bind: nothing there, or a stale socket removed.
    /// Only a refused connection proves a socket stale; any other failure to
    /// connect leaves it in place.
    public static func prepare(_ path: String) throws(Failure) {
        guard path.utf8.count <= maxPathLength else { throw .pathTooLong(path, limit: maxPathLength) }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there
        guard info.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
        switch probe(path) {
        case .answering: throw .inUse(path)
        case .failed(let code): throw .unprobeable(path, errno: code)
        case .refused: break
        }
        guard unlink(path) == 0 || errno == ENOENT else { throw .system("removing stale socket \(path)", errno: errno) }
    }

    /// Which file a path names: compared at shutdown so that a server removes
    /// only the socket it bound, never a successor's at the same path.
    /// Device and inode, and the inode's change time: a successor's socket
    /// made after this one was unlinked may well get the same inode number.
    public struct Identity: Sendable, Equatable {
        let device: UInt64
        let inode: UInt64
        let changed: timespec

        public static func == (a: Identity, b: Identity) -> Bool {
            a.device == b.device && a.inode == b.inode
                && a.changed.tv_sec == b.changed.tv_sec && a.changed.tv_nsec == b.changed.tv_nsec
        }
    }

    /// The identity of the file at `path` now; nil when there is none.
    public static func identity(_ path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), changed: info.st_ctim)
    }

    /// Unlinks `path` only if it is still the file `identity` names. Returns
    /// whether it did. (A successor that replaced it between the check and the
    /// unlink would need to have found this server's socket refusing, which it
    /// does not while this server is still listening.)
    @discardableResult
    public static func remove(_ path: String, ifStill identity: Identity?) -> Bool {
        guard let identity, Self.identity(path) == identity else { return false }
        return unlink(path) == 0
    }

    /// A listening socket bound to `path`, created 0600: private from the
    /// moment the file exists (no window before a chmod). The caller owns the
    /// descriptor and the file.
    public static func bindListening(_ path: String, backlog: Int32) throws(Failure) -> Int32 {
        guard path.utf8.count <= maxPathLength else { throw .pathTooLong(path, limit: maxPathLength) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .system("creating a socket", errno: errno) }
        var address = socketAddress(path)
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        let bindError = errno
        umask(previousMask)
        guard bound == 0 else {
            close(fd)
            throw .system("binding \(path)", errno: bindError)
        }
        guard listen(fd, backlog) == 0 else {
            let code = errno
            close(fd)
            unlink(path)
            throw .system("listening on \(path)", errno: code)
        }
        return fd
    }

    private static func socketAddress(_ path: String) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8.prefix(maxPathLength))
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// Sets the socket file's permission bits (0600, or 0660 for a group) and group.
    public static func restrict(_ path: String, mode: mode_t, group: gid_t? = nil) throws(Failure) {
        if let group, chown(path, uid_t.max, group) != 0 {
            throw .system("setting group of \(path)", errno: errno)
        }
        guard chmod(path, mode) == 0 else { throw .system("setting mode of \(path)", errno: errno) }
    }

    enum Probe: Equatable {
        case answering
        /// ECONNREFUSED: nothing listens; the file is a leftover.
        case refused
        case failed(errno: Int32)
    }

    /// Whether a server accepts connections on `path` right now.
    static func probe(_ path: String) -> Probe {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .failed(errno: errno) }
        defer { close(fd) }
        var address = socketAddress(path)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        if result == 0 { return .answering }
        return errno == ECONNREFUSED ? .refused : .failed(errno: errno)
    }
}
