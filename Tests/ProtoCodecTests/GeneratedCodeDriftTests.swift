import Foundation
import Testing

/// The committed C and Swift must be exactly what scripts/gen-proto makes of
/// proto/. The check runs gen-proto in a scratch copy, so the work tree is
/// never touched.
@Suite("Generated code drift")
struct GeneratedCodeDriftTests {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let generatedPaths = [
        "Sources/CProtoCodec", "Sources/ProtoCodec/Generated", "Tests/ProtoCodecTests/Generated",
    ]

    static var toolsInstalled: Bool {
        ["/usr/bin/protoc-c", "/usr/bin/protoc", "/usr/bin/python3"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    @Test(
        "scripts/gen-proto reproduces the committed generated code",
        .enabled(if: toolsInstalled, "protoc, protoc-c or /usr/bin/python3 is not installed: drift not checked"),
        .timeLimit(.minutes(1)))
    func generatedCodeMatchesProto() throws {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("gen-proto-drift-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: scratch) }
        for path in ["proto", "scripts"] + Self.generatedPaths {
            let target = scratch.appendingPathComponent(path)
            try fm.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try fm.copyItem(at: Self.root.appendingPathComponent(path), to: target)
        }

        let (status, output) = try Self.run(scratch.appendingPathComponent("scripts/gen-proto").path, in: scratch)
        #expect(status == 0, "scripts/gen-proto failed:\n\(output)")
        guard status == 0 else { return }

        for path in Self.generatedPaths {
            let (diffStatus, diff) = try Self.run(
                "/usr/bin/diff", "-r", "-q", Self.root.appendingPathComponent(path).path,
                scratch.appendingPathComponent(path).path, in: scratch)
            #expect(diffStatus == 0, "\(path) differs from what proto/ generates; run scripts/gen-proto:\n\(diff)")
        }
    }

    static func run(_ executable: String, _ arguments: String..., in directory: URL) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
