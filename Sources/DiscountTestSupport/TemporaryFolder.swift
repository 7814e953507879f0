import Foundation

/// A new, empty folder under the system's temporary directory, named
/// `prefix-` and 8 random characters so tests running at once never share one.
/// The caller removes it (`removeItem`) when done.
public func makeTemporaryFolder(_ prefix: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
