/// A store that can copy itself, consistently, while it keeps serving.
public protocol StoreBackup: Sendable {
    /// Writes a consistent copy of the whole store to `path` (absolute; must
    /// not exist) and returns its size in bytes. Writes go on meanwhile; the
    /// copy holds exactly the writes committed before it started.
    func backup(to path: String) async throws -> Int64
}

/// Why a backup was refused or failed.
public enum BackupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Something is at the destination already.
    case destinationExists(String)
    /// Not an absolute path, or its folder does not exist.
    case badDestination(String, reason: String)
    case failed(String)

    public var description: String {
        switch self {
        case .destinationExists(let path): "\(path) already exists"
        case .badDestination(let path, let reason): "\(path): \(reason)"
        case .failed(let message): "backup failed: \(message)"
        }
    }
}
