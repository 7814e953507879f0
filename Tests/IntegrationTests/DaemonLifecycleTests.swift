import DiscountClient
import Foundation
import Testing
import TTRPC

#if canImport(Glibc)
import Glibc
#endif

/// One daemon per data folder, sockets removed only by their owner, and a
/// crash that ends connections at once: the real process, its flags and signals.
@Suite struct DaemonLifecycleTests {
    @Test func aSecondDaemonOnTheSameDataFolderRefusesToStart() async throws {
        try await withDaemon { first in
            let second = Process()
            second.executableURL = DaemonProcess.tool("discountd")
            let otherSocket = first.directory.appendingPathComponent("second.sock").path
            second.arguments = ["--socket", otherSocket, "--data-dir", first.directory.appendingPathComponent("data").path]
            let errors = Pipe()
            second.standardError = errors
            try second.run()
            let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            second.waitUntilExit()
            #expect(second.terminationStatus == 75)
            #expect(message.contains("another discountd (pid \(first.process.processIdentifier)) is using this data folder"), "\(message)")
            #expect(!FileManager.default.fileExists(atPath: otherSocket), "it must not even bind")
            // The first one is untouched.
            let client = try await first.client()
            #expect(try await client.health().status == .serving)
            await client.close()
        }
    }

    @Test func shutdownLeavesASuccessorsSocketInPlace() async throws {
        let daemon = try await DaemonProcess.start()
        defer { daemon.remove() }
        // A successor replaced the socket (as one started during this one's
        // grace period would, having found it refusing).
        unlink(daemon.socketPath)
        let successor = try UnixListener(path: daemon.socketPath)
        defer { successor.close() }
        #expect(await daemon.stop() == 0)
        var info = stat()
        #expect(lstat(daemon.socketPath, &info) == 0, "the successor's socket was deleted")
        #expect(UInt64(info.st_ino) == successor.inode)
    }

    @Test func aCrashEndsEveryConnectionAtOnce() async throws {
        let daemon = try DaemonProcess(environment: ["SWIFT_BACKTRACE": "enable=yes,interactive=no"])
        try await daemon.start()
        defer { daemon.remove() }
        let client = try await daemon.client(.init(timeout: .seconds(30)))
        #expect(try await client.health().status == .serving)

        kill(daemon.process.processIdentifier, SIGILL)
        let started = ContinuousClock.now
        // The signal is handled asynchronously: the open connection ends within moments.
        var ended = false
        while !ended, ContinuousClock.now - started < .seconds(2) {
            do { _ = try await client.with { $0.timeout = .milliseconds(200) }.health() } catch { ended = true }
        }
        #expect(ended, "the connection outlived the crash by 2 s")
        // New connections are refused, while the process is still busy with its backtrace.
        let connect = await Result(catching: { try await DiscountClient.connect(socketPath: daemon.socketPath) })
        #expect(throws: (any Error).self) { try connect.get() }
        #expect(daemon.process.isRunning, "the process was already gone: nothing here shows the guard at work")
        await daemon.stop()
    }
}

/// A bare listening Unix socket, standing in for another server.
final class UnixListener: Sendable {
    let fd: Int32
    let inode: UInt64

    init(path: String) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw POSIXError(.EADDRINUSE) }
        var info = stat()
        lstat(path, &info)
        self.fd = fd
        inode = UInt64(info.st_ino)
    }

    func close() { Glibc.close(fd) }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
