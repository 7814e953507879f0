import Foundation
import Testing

@testable import TTRPC

#if canImport(Glibc)
import Glibc
#endif

/// Preparing a socket path: only a socket that refuses connections is stale.
@Suite struct UnixSocketFileTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ttrpc-sock-\(UUID().uuidString.prefix(8))")
        .path

    @Test func aSocketThatFailsToConnectOtherThanByRefusalIsLeftAlone() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/d.sock"
        // A live datagram socket: a stream connect fails with EPROTOTYPE, not
        // ECONNREFUSED. It used to be taken for stale and deleted.
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: Array(path.utf8))
            raw[path.utf8.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(bound == 0)
        #expect(throws: UnixSocketFile.Failure.self) { try UnixSocketFile.prepare(path) }
        #expect(FileManager.default.fileExists(atPath: path))
    }

    @Test func aRefusingSocketIsStaleAndAnAnsweringOneIsInUse() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/d.sock"
        let listening = try UnixSocketFile.bindListening(path, backlog: 4)
        #expect(throws: UnixSocketFile.Failure.self) { try UnixSocketFile.prepare(path) }
        close(listening)  // the file stays, nothing listens: a crash's leftover
        try UnixSocketFile.prepare(path)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func removalNeedsTheSameFileNotJustTheSameInode() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/d.sock"
        close(try UnixSocketFile.bindListening(path, backlog: 4))
        let ours = UnixSocketFile.identity(path)
        unlink(path)
        usleep(10_000)
        close(try UnixSocketFile.bindListening(path, backlog: 4))  // a successor's, perhaps on the same inode
        #expect(!UnixSocketFile.remove(path, ifStill: ours))
        #expect(FileManager.default.fileExists(atPath: path))
        #expect(UnixSocketFile.remove(path, ifStill: UnixSocketFile.identity(path)))
    }
}
