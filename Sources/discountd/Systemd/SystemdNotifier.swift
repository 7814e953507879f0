#if canImport(Glibc)
import Glibc
#endif

/// sd_notify(3) without libsystemd: state lines sent as one datagram to the
/// Unix socket named by `NOTIFY_SOCKET`, which systemd sets for `Type=notify`.
/// The watchdog waits on `untilReady()`: systemd only counts pings once READY=1 is in.
final class SystemdNotifier: Sendable {
    /// A path, or `@name` in the abstract namespace.
    let address: String
    private let readySignal = AsyncStream<Never>.makeStream()

    init(address: String) {
        self.address = address
    }

    /// The notifier systemd asked for, or nil when `NOTIFY_SOCKET` is not set.
    static func fromEnvironment() -> SystemdNotifier? {
        env("NOTIFY_SOCKET").map(SystemdNotifier.init)
    }

    /// The store is open and migrated and the socket accepts calls.
    func ready(status: String) throws(SystemdNotifier.Failure) {
        defer { readySignal.continuation.finish() }
        try send("READY=1\nSTATUS=\(status)")
    }

    /// Draining: no new calls, the ones in flight finish.
    func stopping() throws(SystemdNotifier.Failure) {
        try send("STOPPING=1\nSTATUS=draining calls in flight")
    }

    func watchdog() throws(SystemdNotifier.Failure) {
        try send("WATCHDOG=1")
    }

    /// Returns once `ready` was called (or the task is cancelled).
    func untilReady() async {
        for await _ in readySignal.stream {}
    }

    struct Failure: Error, CustomStringConvertible {
        let errno: Int32
        let address: String
        var description: String { "notifying systemd at \(address): \(String(cString: strerror(errno)))" }
    }

    private func send(_ message: String) throws(SystemdNotifier.Failure) {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(errno: errno, address: address) }
        defer { close(descriptor) }
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        // An abstract address starts with a NUL byte instead of the `@`; its length counts exactly.
        var path = Array(address.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: socketAddress.sun_path)
        guard path.count < capacity else { throw Failure(errno: ENAMETOOLONG, address: address) }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout.offset(of: \sockaddr_un.sun_path)! + path.count + (path.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(descriptor, bytes, bytes.count, 0, $0, length) }
        }
        guard sent == bytes.count else { throw Failure(errno: errno, address: address) }
    }
}
