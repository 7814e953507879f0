import DiscountClient
import Foundation
import ProcessSpawning
import Testing

/// Admin.Backup: a consistent copy taken while writes go on, which a daemon
/// started on it serves.
@Suite struct BackupTests {
    @Test func backupDuringWritesRestoresConsistentState() async throws {
        try await withDaemon { daemon in
            let state = daemon.directory.appendingPathComponent("fixtures.json").path
            let acks = daemon.directory.appendingPathComponent("acks.log").path
            let common = ["--socket", daemon.socketPath, "--state", state]
            // 200,000 voucher codes: a store big enough that the copy takes a while.
            #expect(try await runTool("discountd-crashload", ["setup"] + common).status == 0)
            let load = try startTool(
                "discountd-crashload", ["load", "--ack-log", acks, "--tag", "backup", "--seconds", "30"] + common)
            defer { load.send(SIGKILL) }
            try await waitForLines(acks, atLeast: 200)

            let client = try await daemon.client(.init(timeout: .seconds(60)))
            let path = daemon.directory.appendingPathComponent("copy.sqlite").path
            // Acks whose line is in the log before the request: committed before the copy began.
            let before = try Data(contentsOf: URL(fileURLWithPath: acks))
            let response = try await client.backup(path: path)
            let after = try Data(contentsOf: URL(fileURLWithPath: acks))
            load.send(SIGTERM)
            _ = await load.wait()
            #expect(response.path == path)
            #expect(response.sizeBytes > 1_000_000)
            #expect(response.sizeBytes == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int).map(Int64.init))
            #expect(after.count > before.count, "writes were acknowledged while the backup ran (\(response.durationSeconds) s)")
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600, "the copy holds credentials: owner-only")

            await expectRPCError(.alreadyExists, reason: "BACKUP_PATH_EXISTS", field: "path") {
                try await client.backup(path: path)
            }
            await expectRPCError(.invalidArgument, field: "path") { try await client.backup(path: "relative.sqlite") }
            await expectRPCError(.invalidArgument, field: "path") { try await client.backup(path: "/nonexistent-dir/x.sqlite") }
            await client.close()

            // Restore: a daemon on the copy has every write acknowledged before
            // the backup began, and the copy obeys every invariant.
            let restored = daemon.directory.appendingPathComponent("restored")
            try FileManager.default.createDirectory(
                at: restored.appendingPathComponent("data"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: path, toPath: restored.appendingPathComponent("data/discountd.sqlite").path)
            let beforeLog = restored.appendingPathComponent("acks-before.log").path
            try before.write(to: URL(fileURLWithPath: beforeLog))
            let second = try DaemonProcess(directory: restored)
            try await second.start()
            let check = try await runTool(
                "discountd-crashload",
                [
                    "check", "--ack-log", beforeLog, "--database", restored.appendingPathComponent("data/discountd.sqlite").path,
                    "--socket", second.socketPath, "--state", state,
                ])
            #expect(check.status == 0, "\(check.stdout)")
            #expect(check.stdout.contains("check ok"))
            await second.stop()
        }
    }

    @Test func discountctlBackupTakesRelativePathsFromItsFolder() async throws {
        try await withDaemon { daemon in
            let socket = ["--socket", daemon.socketPath]
            let folder = daemon.directory.path
            let first = try await discountctl(in: folder, ["backup", "--path", "copy.sqlite"] + socket)
            #expect(first.status == 0, "\(first.stderr)")
            let json = try jsonObject(first.stdout)
            #expect(json["path"] as? String == folder + "/copy.sqlite")
            #expect((json["size_bytes"] as? Int ?? 0) > 0)
            #expect(FileManager.default.fileExists(atPath: folder + "/copy.sqlite"))
            let again = try await discountctl(in: folder, ["backup", "--path", "copy.sqlite"] + socket)
            #expect(again.status == 65)
            #expect(again.stderr.contains("BACKUP_PATH_EXISTS"))
        }
    }
}

/// Runs a product beside the tests to its end.
func runTool(_ name: String, _ arguments: [String]) async throws -> (status: Int32, stdout: String) {
    let output = try await ChildProcess.run(DaemonProcess.tool(name).path, arguments)
    if !output.stderr.isEmpty { FileHandle.standardError.write(Data(output.stderr.utf8)) }
    return (output.status, output.stdout)
}

/// Starts a product beside the tests in the background.
func startTool(_ name: String, _ arguments: [String]) throws -> ChildProcess {
    try ChildProcess(executable: DaemonProcess.tool(name).path, arguments: arguments, stdout: .null, stderr: .inherit)
}

private func waitForLines(_ path: String, atLeast count: Int) async throws {
    for _ in 0..<1000 {
        let lines = (FileManager.default.contents(atPath: path) ?? Data()).reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
        if lines >= count { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("fewer than \(count) acknowledged writes in 20 s")
}

/// discountctl run from `folder`.
private func discountctl(in folder: String, _ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String)
{
    let output = try await ChildProcess.run(DaemonProcess.tool("discountctl").path, arguments, currentDirectory: folder)
    return (output.status, output.stdout, output.stderr)
}
