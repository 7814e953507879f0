import ArgumentParser
import DiscountClient

/// Waits until the daemon answers Health.Check (a stale socket file left by
/// a SIGKILL does not count).
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wait", abstract: "Wait for the daemon to answer.")

    @Option var socket: String

    @Option var seconds: Double = 60

    func run() async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now < deadline {
            if let client = try? await DiscountClient.connect(socketPath: socket, options: .init(timeout: .seconds(2))) {
                let answered = (try? await client.health()) != nil
                await client.close()
                if answered { return }
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        print("daemon on \(socket) did not answer within \(seconds) s")
        throw ExitCode(1)
    }
}
