import ArgumentParser
import DiscountClient

#if canImport(Glibc)
import Glibc
#endif

/// Options every subcommand shares.
struct ClientOptions: ParsableArguments {
    @Option(help: "The daemon's socket. (env: DISCOUNTD_SOCKET)")
    var socket: String = env("DISCOUNTD_SOCKET") ?? "./discountd.sock"

    @Option(name: .customLong("token"), help: "Bearer token for the call. (env: DISCOUNTD_TOKEN)")
    var tokenOption: String?

    var token: String? { tokenOption ?? env("DISCOUNTD_TOKEN") }

    @Option(help: "Seconds to wait for an answer. (env: DISCOUNTD_TIMEOUT; default 10)")
    var timeout: Double = env("DISCOUNTD_TIMEOUT").flatMap(Double.init) ?? 10

    @Option(help: "json or table (default: table on a terminal, json in a pipe or file).")
    var output: OutputFormat?

    /// Prints a command's answer in the chosen (or automatic) format.
    func print<Value: Encodable>(_ value: Value) throws {
        try (output ?? .automatic).print(value)
    }

    mutating func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
    }

    func connect() async throws -> DiscountClient {
        do {
            return try await DiscountClient.connect(
                socketPath: socket,
                options: .init(token: token, timeout: .nanoseconds(Int64(timeout * 1e9))))
        } catch {
            throw CLIFailure.unreachable(socket: socket, cause: "\(error)")
        }
    }
}

extension ClientOptions {
    /// The shape of most subcommands: one call, its answer printed, its failure turned into an exit code.
    func printAnswer<Answer: Encodable>(of call: (DiscountClient) async throws -> Answer) async throws {
        try await runReporting { try print(try await withClient(call)) }
    }

    /// Runs `body` with a connected client and closes it afterwards.
    func withClient<T>(_ body: (DiscountClient) async throws -> T) async throws -> T {
        let client = try await connect()
        do {
            let result = try await body(client)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }
}

func env(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let string = String(cString: value)
    return string.isEmpty ? nil : string
}
