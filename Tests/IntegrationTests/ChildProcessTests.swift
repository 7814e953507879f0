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

    /// A descriptor the parent left inheritable (no O_CLOEXEC) does not reach
    /// the child: an in-process daemon's listening socket must not live on in it.
    @Test func waitingUpToALimitGivesUpWhileItRuns() async throws {
        let child = try ChildProcess(executable: "/bin/sleep", arguments: ["30"])
        #expect(await child.wait(upTo: .milliseconds(100)) == nil)
        child.send(SIGKILL)
        #expect(await child.wait(upTo: .seconds(30)) == .signaled(SIGKILL))
    }

    @Test func closesEveryDescriptorButTheStandardThree() async throws {
        let leaked = open("/dev/null", O_RDONLY)
        defer { close(leaked) }
        let output = try await ChildProcess.run("/bin/ls", ["/proc/self/fd"])
        let descriptors = Set(output.stdout.split(separator: "\n").compactMap { Int32($0) })
        #expect(!descriptors.contains(leaked), "\(descriptors)")
        #expect(descriptors.isSuperset(of: [0, 1, 2]))
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
