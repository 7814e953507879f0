import DiscountClient
import Foundation
import ProcessSpawning
import TTRPC
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One daemon per data folder, sockets removed only by their owner, and a
/// crash that ends connections at once: the real process, its flags and signals.
@Suite struct DaemonLifecycleTests {
    @Test func aSecondDaemonOnTheSameDataFolderRefusesToStart() async throws {
        try await withDaemon { first in
            let otherSocket = first.directory.appendingPathComponent("second.sock").path
            let second = try await runDiscountd(
                ["--socket", otherSocket, "--data-dir", first.directory.appendingPathComponent("data").path])
            let message = second.stderr
            #expect(second.status == 75)
            #expect(message.contains("another discountd (pid \(first.pid)) is using this data folder"), "\(message)")
            #expect(!FileManager.default.fileExists(atPath: otherSocket), "it must not even bind")
            // The first one is untouched.
            let client = try await first.client()
            #expect(try await client.health().status == .serving)
            await client.close()
        }
    }

    @Test func requireAuthIsBootstrappedWithCreateTokenWhileStopped() async throws {
        let daemon = try DaemonProcess(arguments: ["--require-auth"])
        let dataDir = daemon.directory.appendingPathComponent("data").path
        defer { daemon.remove() }
        try await daemon.start()
        // Running: the folder is locked, and nothing without a token gets in.
        let refused = try await runDiscountd(["create-token", "--data-dir", dataDir])
        #expect(refused.status == 75)
        let anonymous = try await daemon.client()
        await #expect(throws: RPCError.self) { try await anonymous.createToken(projectID: "default", scopes: ["admin"]) }
        await anonymous.close()
        await daemon.stop()

        let created = try await runDiscountd(["create-token", "--data-dir", dataDir, "--scopes", "admin"])
        #expect(created.status == 0, "\(created.stderr)")
        let secret = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(secret.hasPrefix("dsk_"))

        let restarted = try DaemonProcess(arguments: ["--require-auth"], directory: daemon.directory)
        try await restarted.start()
        let admin = try await restarted.client(.init(token: secret))
        let agentToken = try await admin.createToken(projectID: "default", scopes: ["commission"])
        #expect(agentToken.token.hasPrefix("dsk_"))
        await admin.close()
        await restarted.stop()
    }

    /// The idempotency record commits in the write's own transaction: a crash
    /// after the commit and before the answer loses neither, and the retry
    /// replays the answer instead of writing again.
    @Test func aCrashBetweenTheCommitAndTheAnswerIsReplayedNotRepeated() async throws {
        let crashing = try DaemonProcess(
            environment: [
                "DISCOUNTD_TEST_CRASH_AFTER_COMMIT":
                    "\(PriceRulesRPC.createPriceRule.service)/\(PriceRulesRPC.createPriceRule.name)"
            ])
        defer { crashing.remove() }
        try await crashing.start()
        let client = try await crashing.client()
        let request = CreatePriceRuleRequest(title: "once", valueType: .percentage, value: 10)
        await #expect(throws: (any Error).self, "the daemon died before answering") {
            try await client.createPriceRule(request, idempotencyKey: "rule-1")
        }
        #expect(await crashing.wait() == .exited(86))

        let restarted = try DaemonProcess(directory: crashing.directory)
        try await restarted.start()
        let again = try await restarted.client()
        let replay = try await again.createPriceRule(request, idempotencyKey: "rule-1")
        let rules = try await again.listPriceRules().priceRules
        #expect(rules.count == 1, "the retry wrote nothing more")
        #expect(replay.priceRule?.id == rules.first?.id, "and replayed the first answer")
        await again.close()
        await restarted.stop()
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
        let daemon = try DaemonProcess(environment: ["SWIFT_BACKTRACE": "enable=yes,interactive=no"], ownGroup: true)
        try await daemon.start()
        defer { daemon.remove() }
        let client = try await daemon.client(.init(timeout: .seconds(30)))
        #expect(try await client.health().status == .serving)

        daemon.signal(SIGILL)
        let started = ContinuousClock.now
        // The signal is handled asynchronously: within moments the open
        // connection is closed under the client (a deadline passing would only
        // mean the daemon hangs, as it did while the backtrace was written).
        var closed = false
        while !closed, ContinuousClock.now - started < .seconds(3) {
            do {
                _ = try await client.with { $0.timeout = .milliseconds(500) }.health()
            } catch let error as RPCError where error.code == .deadlineExceeded {
                continue
            } catch {
                closed = true
            }
        }
        #expect(closed, "the connection was not closed within 3 s of the crash")
        // And new connections are refused: without the guard the kernel still
        // queued them for a process busy writing its backtrace.
        let connect = await Result(catching: { try await DiscountClient.connect(socketPath: daemon.socketPath) })
        #expect(throws: (any Error).self) { try connect.get() }
        // How long the backtrace then takes is the runtime's business: once,
        // in CI, a debug build's NIO asserted on the wake-up the guard's
        // shutdown caused, and Swift's backtracer never finished. Not waited
        // for, and not left behind either: the backtracer is in the daemon's
        // process group and killed with it, since once orphaned it ran on for
        // minutes after the suite.
        daemon.signalGroup(SIGKILL)
        _ = await daemon.wait()
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
