import DiscountTestSupport
import Foundation
import ProcessSpawning
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The posix_spawn wrapper the tests start programs with.
@Suite struct ChildProcessTests {
    @Test func collectsOutputAndTheExitStatus() async throws {
        let output = try await ChildProcess.run("/bin/sh", ["-c", "cat; echo err >&2; exit 3"], input: "in\n")
        #expect(output.termination == .exited(3))
        #expect(output.stdout == "in\n")
        #expect(output.stderr == "err\n")
    }

    @Test func reportsTheSignalThatEndedIt() async throws {
        let child = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        #expect(child.isRunning)
        child.send(SIGKILL)
        #expect(await child.wait() == .signaled(SIGKILL))
        #expect(!child.isRunning)
    }

    @Test func waitingUpToALimitGivesUpWhileItRuns() async throws {
        let child = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        #expect(await child.wait(upTo: .milliseconds(100)) == nil)
        child.send(SIGKILL)
        #expect(await child.wait(upTo: .seconds(30)) == .signaled(SIGKILL))
    }

    /// A descriptor the parent left inheritable (no O_CLOEXEC) does not reach
    /// the child: an in-process daemon's listening socket must not live on in it.
    @Test func closesEveryDescriptorButTheStandardThree() async throws {
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        let output = try await ChildProcess.run("/bin/ls", ["/proc/self/fd"])
        let descriptors = Set(output.stdout.split(separator: "\n").compactMap { Int32($0) })
        #expect(!descriptors.contains(leaked), "\(descriptors)")
        #expect(descriptors.isSuperset(of: [0, 1, 2]))
    }

    /// What a child in its own group starts is signalled with it (a crashing
    /// daemon's backtracer must not outlive the test that killed the daemon).
    @Test func signallingTheGroupReachesTheChildsOwnChildren() async throws {
        let folder = try makeTemporaryFolder("group")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pidFile = folder.appendingPathComponent("grandchild").path
        let child = try ChildProcess(
            executable: "/bin/sh", arguments: ["-c", "sleep 30 & echo $! > \(pidFile); wait"], ownGroup: true)
        var grandchild: pid_t?
        for _ in 0..<500 where grandchild == nil {
            grandchild = (try? String(contentsOfFile: pidFile, encoding: .utf8))
                .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if grandchild == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let sleeper = try #require(grandchild)
        #expect(getpgid(sleeper) == child.pid)

        child.signalGroup(SIGKILL)
        #expect(await child.wait(upTo: .seconds(30)) == .signaled(SIGKILL))
        // Orphaned by the shell, the sleeper is reaped by init; until then it
        // may linger as a zombie, but it no longer runs.
        var ended = false
        for _ in 0..<500 where !ended {
            ended = !isRunning(sleeper)
            if !ended { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(ended, "the shell's child still runs after its group was killed")
    }

    @Test func runsInTheFolderGiven() throws {
        let output = try ChildProcess.runSynchronously("/bin/pwd", currentDirectory: "/tmp")
        #expect(output.stdout == "/tmp\n")
    }

    @Test func aMissingProgramIsAnError() async {
        await #expect(throws: ChildProcess.SpawnFailure.self) {
            try await ChildProcess.run("/nonexistent/program")
        }
    }
}

/// Whether `pid` exists and is not a zombie (state Z in /proc/PID/stat).
private func isRunning(_ pid: pid_t) -> Bool {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let nameEnd = stat.lastIndex(of: ")")
    else { return false }
    return stat[stat.index(after: nameEnd)...].split(separator: " ").first != "Z"
}
