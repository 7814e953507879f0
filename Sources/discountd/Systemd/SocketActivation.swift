#if canImport(Glibc)
import Glibc
#endif

/// sd_listen_fds(3) without libsystemd: the listening socket systemd passes
/// as descriptor 3 when `LISTEN_PID` names this process (discountd.socket).
enum SocketActivation {
    struct Inherited {
        let descriptor: CInt
        /// The socket's path, as systemd bound it; `@name` in the abstract namespace.
        let path: String
    }

    enum Failure: Error, CustomStringConvertible {
        case socketCount(Int)
        case notAUnixStreamListener

        var description: String {
            switch self {
            case .socketCount(let count):
                "systemd passed \(count) sockets (LISTEN_FDS); discountd serves exactly one (one ListenStream= in discountd.socket)"
            case .notAUnixStreamListener:
                "the socket systemd passed is not a listening Unix stream socket; discountd speaks ttrpc on ListenStream=/path only"
            }
        }
    }

    static let firstDescriptor: CInt = 3

    /// The socket systemd passed, or nil when it passed none. Unsets the
    /// LISTEN_* variables either way, as sd_listen_fds does, so that no child
    /// process takes them for its own.
    static func takeListeningSocket() throws(Failure) -> Inherited? {
        defer {
            unsetenv("LISTEN_PID")
            unsetenv("LISTEN_FDS")
            unsetenv("LISTEN_FDNAMES")
        }
        guard let pid = env("LISTEN_PID").flatMap(pid_t.init), pid == getpid(),
            let count = env("LISTEN_FDS").flatMap(Int.init), count > 0
        else { return nil }
        guard count == 1 else { throw .socketCount(count) }
        let descriptor = firstDescriptor
        guard option(SO_TYPE, of: descriptor) == CInt(SOCK_STREAM.rawValue),
            option(SO_ACCEPTCONN, of: descriptor) == 1,
            let path = unixPath(of: descriptor)
        else { throw .notAUnixStreamListener }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        return Inherited(descriptor: descriptor, path: path)
    }

    private static func option(_ name: CInt, of descriptor: CInt) -> CInt? {
        var value: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        return getsockopt(descriptor, SOL_SOCKET, name, &value, &length) == 0 ? value : nil
    }

    private static func unixPath(of descriptor: CInt) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        let pathLength = Int(length) - MemoryLayout.offset(of: \sockaddr_un.sun_path)!
        return withUnsafeBytes(of: &address.sun_path) { raw -> String? in
            let bytes = Array(raw.prefix(max(pathLength, 0)))
            guard let first = bytes.first else { return nil }
            if first == 0 { return "@" + String(decoding: bytes.dropFirst(), as: UTF8.self) }
            return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
