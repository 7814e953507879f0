import Foundation
import ProcessSpawning
import Testing

private let genProtoToolsInstalled = ["/usr/bin/protoc-c", "/usr/bin/protoc", "/usr/bin/python3"].allSatisfy {
    FileManager.default.isExecutableFile(atPath: $0)
}

/// The committed C and Swift (messages, service methods, test samples) must be
/// exactly what scripts/gen-proto makes of proto/. `gen-proto --check` compares
/// without writing, and knows every directory it generates, so this test
/// cannot miss a new one.
@Suite(
    "Generated code drift", .serialized,
    .enabled(if: genProtoToolsInstalled, "protoc, protoc-c or /usr/bin/python3 is not installed: drift not checked"))
struct GeneratedCodeDriftTests {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("scripts/gen-proto reproduces the committed generated code", .timeLimit(.minutes(1)))
    func generatedCodeMatchesProto() async throws {
        let (status, output) = try await Self.genProto("--check", in: Self.root)
        #expect(status == 0, "the generated code differs from proto/; run scripts/gen-proto:\n\(output)")
    }

    /// The check itself, on a scratch copy of proto/ and scripts/: it fails
    /// while nothing is generated, passes once gen-proto has run, and fails
    /// again when a proto changes (a method's comment, which reaches the
    /// generated method constants).
    @Test("gen-proto --check finds missing and drifted code", .timeLimit(.minutes(1)))
    func checkFindsDrift() async throws {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("gen-proto-drift-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: scratch) }
        try fm.createDirectory(at: scratch, withIntermediateDirectories: true)
        for path in ["proto", "scripts"] {
            try fm.copyItem(at: Self.root.appendingPathComponent(path), to: scratch.appendingPathComponent(path))
        }

        #expect(try await Self.genProto("--check", in: scratch).status != 0, "nothing generated yet")
        let generated = try await Self.genProto(in: scratch)
        try #require(generated.status == 0, "scripts/gen-proto failed:\n\(generated.output)")
        #expect(try await Self.genProto("--check", in: scratch).status == 0, "just generated")

        let health = scratch.appendingPathComponent("proto/discountd/v1/health.proto")
        let text = try String(contentsOf: health, encoding: .utf8)
        let edited = text.replacingOccurrences(of: "  // SERVING while", with: "  // Drifted. SERVING while")
        try #require(edited != text, "health.proto no longer has the comment this test edits")
        try edited.write(to: health, atomically: true, encoding: .utf8)
        let drifted = try await Self.genProto("--check", in: scratch)
        #expect(drifted.status != 0)
        #expect(drifted.output.contains("HealthRPC.pb.swift"), "\(drifted.output)")
    }

    /// Runs scripts/gen-proto in `directory` to its end; stdout and stderr together.
    static func genProto(_ arguments: String..., in directory: URL) async throws -> (status: Int32, output: String) {
        let output = try await ChildProcess.run(
            directory.appendingPathComponent("scripts/gen-proto").path, arguments, currentDirectory: directory.path)
        return (output.status, output.stdout + output.stderr)
    }
}
