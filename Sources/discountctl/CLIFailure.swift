import ArgumentParser
import DiscountClient
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Why discountctl failed, and the exit status that tells scripts which kind.
enum CLIFailure: Error {
    case unreachable(socket: String, cause: String)
    case rpc(RPCError)
    /// A local input (e.g. `--codes-file`) could not be read.
    case input(String)

    /// 64 is usage (ArgumentParser); these follow sysexits where one fits.
    var exitCode: Int32 {
        switch self {
        case .unreachable: 69  // EX_UNAVAILABLE
        case .input: 66  // EX_NOINPUT
        case .rpc(let error):
            switch error.code {
            // The request cannot be done as asked: bad input, or a refusal such as
            // a taken code or a reached limit (the reason on stderr tells which).
            case .invalidArgument, .alreadyExists, .failedPrecondition, .resourceExhausted, .outOfRange: 65  // EX_DATAERR
            case .notFound: 66  // EX_NOINPUT
            case .unauthenticated, .permissionDenied: 77  // EX_NOPERM
            case .unavailable, .deadlineExceeded: 75  // EX_TEMPFAIL
            default: 70  // EX_SOFTWARE
            }
        }
    }

    var message: String {
        switch self {
        case .unreachable(let socket, let cause):
            return "error: cannot reach discountd at \(socket): \(cause)\nhint: start it with scripts/run, or pass --socket"
        case .input(let message):
            return "error: \(message)"
        case .rpc(let error):
            var text = "error: \(error.code.name): \(error.message)"
            if let detail = error.detail {
                if !detail.reason.isEmpty { text += "\nreason: \(detail.reason)" }
                if !detail.field.isEmpty { text += "\nfield: \(detail.field)" }
                if !detail.hint.isEmpty { text += "\nhint: \(detail.hint)" }
            }
            return text
        }
    }
}

/// Runs a subcommand's body: prints failures on stderr and exits with their status.
func runReporting(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let failure as CLIFailure {
        FileHandleOutput.standardError(failure.message)
        throw ExitCode(failure.exitCode)
    } catch let error as RPCError {
        let failure = CLIFailure.rpc(error)
        FileHandleOutput.standardError(failure.message)
        throw ExitCode(failure.exitCode)
    }
}

enum FileHandleOutput {
    static func standardError(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }
}
