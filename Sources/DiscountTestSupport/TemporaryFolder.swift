import Foundation

/// A new, empty folder under the system's temporary directory, named
/// `prefix-` and 8 random characters so tests running at once never share one.
/// The caller removes it (`removeItem`) when done.
public func makeTemporaryFolder(_ prefix: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// `folder`, created if it is missing (a restart reuses the folder a stopped
/// daemon left behind), or else a new temporary folder named after `prefix`.
public func makeFolder(_ folder: URL?, orTemporary prefix: String) throws -> URL {
    guard let folder else { return try makeTemporaryFolder(prefix) }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}
