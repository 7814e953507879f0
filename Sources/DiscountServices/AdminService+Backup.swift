import DiscountCore
import DiscountProto
import DiscountStore

extension AdminService {
    /// Admin.Backup: a consistent online copy of the whole store to a path on
    /// the daemon's host. Only the daemon's admin (default project) may take
    /// one: the copy holds every project.
    static func registerBackup(in registrar: inout MethodRegistrar, store: any StoreBackup) {
        registrar.read(AdminRPC.backup, scope: .admin) { (request: BackupRequest, principal, _) in
            try requireDaemonAdmin(principal)
            let path = try Validate.nonEmpty(request.path, field: "path", max: 4096)
            let started = ContinuousClock.now
            let size: Int64
            do {
                size = try await store.backup(to: path)
            } catch let error as BackupError {
                throw ServiceError(error)
            }
            let (seconds, attoseconds) = (ContinuousClock.now - started).components
            return BackupResponse(
                path: path, sizeBytes: size, durationSeconds: Double(seconds) + Double(attoseconds) / 1e18,
                completedAt: Instant.now().timestamp)
        }
    }
}

extension ServiceError {
    init(_ error: BackupError) {
        switch error {
        case .destinationExists(let path):
            self.init(
                .alreadyExists, reason: "BACKUP_PATH_EXISTS", "\(path) already exists.",
                hint: "Choose a path that does not exist yet; backups never overwrite.", field: "path")
        case .badDestination(let path, let reason):
            self.init(
                .invalidArgument, reason: "INVALID_ARGUMENT", "\(path): \(reason)",
                hint: "Give an absolute path on the daemon's host, in a folder that exists.", field: "path")
        case .failed(let message):
            self.init(.internal, reason: "BACKUP_FAILED", message)
        }
    }
}
