import DiscountClient
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The socket's permissions: 0600 for the daemon's user alone, or 0660 owned
/// by `--socket-group` so that group's processes may connect.
@Suite struct SocketGroupTests {
    private func modeAndGroup(_ path: String) throws -> (mode: mode_t, gid: gid_t) {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .ENOENT) }
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        return (info.st_mode & 0o7777, info.st_gid)
    }

    @Test func socketIsOwnerOnlyByDefault() async throws {
        try await withDaemon { daemon in
            let (mode, gid) = try modeAndGroup(daemon.socketPath)
            #expect(mode == 0o600)
            #expect(gid == getegid())
        }
    }

    @Test(arguments: ["name", "number", "environment"])
    func socketGroupMakesItGroupReadableAndWritable(_ form: String) async throws {
        // A group that is not ours, so the chown is visible (root may give any).
        let group = getgid() == 0 ? "daemon" : String(cString: getgrgid(getgid())!.pointee.gr_name)
        let gid = getgrnam(group)!.pointee.gr_gid
        let daemon: DaemonProcess
        switch form {
        case "name": daemon = try DaemonProcess(arguments: ["--socket-group", group])
        case "number": daemon = try DaemonProcess(arguments: ["--socket-group", "\(gid)"])
        default:
            daemon = try DaemonProcess(environment: ["DISCOUNTD_SOCKET_GROUP": group])
        }
        defer { daemon.remove() }
        try await daemon.start()
        // The socket answers from its bind (mode 0600, as umask makes it); the
        // group and 0660 follow right after.
        var (mode, owner) = try modeAndGroup(daemon.socketPath)
        for _ in 0..<200 where mode != 0o660 {
            try await Task.sleep(for: .milliseconds(10))
            (mode, owner) = try modeAndGroup(daemon.socketPath)
        }
        await daemon.stop()
        #expect(mode == 0o660)
        #expect(owner == gid)
    }

    @Test func unknownGroupIsRefusedAtStart() async throws {
        let daemon = try DaemonProcess(arguments: ["--socket-group", "no-such-group-discountd"])
        defer { daemon.remove() }
        let end = try await daemon.runToEnd()
        let message = daemon.stderr
        #expect(end.status != 0)
        #expect(message.contains("unknown group no-such-group-discountd"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: daemon.socketPath))
    }
}
