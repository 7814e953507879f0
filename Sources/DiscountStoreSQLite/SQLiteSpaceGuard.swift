import DiscountStore
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// What the writer does about a filling disk, so that a full disk costs new
/// writes but never deletes, and never the daemon.
///
/// - A reserve file (`discountd.reserve`, `reserveBytes`) holds space back.
///   When a write finds the disk full, the reserve is released and the log
///   checkpointed and truncated: deletes then have room to commit.
/// - While space is short, writes that do not free space are refused at once
///   (`StoreError.storageFull`) instead of eating that room; once the
///   filesystem has twice the reserve free again, the reserve is taken back
///   and writes resume.
/// - Below `tightBytes` free, the checkpointer folds the log back often and
///   truncates it (`SQLiteCheckpointer.tight`), so the log never holds tens of
///   megabytes the disk does not have.
///
/// Used by the writer thread only (and `init` before it starts).
final class SQLiteSpaceGuard {
    static let reserveFileName = "discountd.reserve"
    /// Free space under which checkpoints come early and truncate the log.
    static let tightBytes: Int64 = 256 << 20

    private let directory: String
    private let reservePath: String
    private let reserveBytes: Int64
    /// Tells the checkpointer to fold the log back early (`SQLiteCheckpointer.tight`).
    private let setTight: (Bool) -> Void
    /// Free bytes on the store's filesystem (statvfs; replaced in tests).
    private let measureFree: (String) -> Int64?
    /// The disk filled up: only writes that free space run.
    private(set) var short = false
    /// When free space was last read (uptime ns); read at most every `interval`.
    private var lastLook: UInt64 = 0
    var interval: UInt64 = 1_000_000_000

    convenience init(databasePath: String, reserveBytes: Int64, checkpointer: SQLiteCheckpointer) {
        self.init(
            databasePath: databasePath, reserveBytes: reserveBytes, setTight: { checkpointer.tight = $0 },
            measureFree: Self.statvfsFree)
    }

    init(
        databasePath: String, reserveBytes: Int64, setTight: @escaping (Bool) -> Void,
        measureFree: @escaping (String) -> Int64?
    ) {
        let slash = databasePath.lastIndex(of: "/")
        directory = slash.map { String(databasePath[..<$0]) } ?? "."
        reservePath = directory + "/" + Self.reserveFileName
        self.reserveBytes = reserveBytes
        self.setTight = setTight
        self.measureFree = measureFree
        if !takeReserve() { enterShort() }
        look(force: true)
    }

    /// Why a job must not run now, or nil.
    func refusal(freesSpace: Bool) -> StoreError? {
        guard short, !freesSpace else { return nil }
        // Refused writes are cheap; reading free space for each is not needed.
        look(force: false)
        return short ? .storageFull : nil
    }

    /// A write failed for want of space: release the reserve and fold the log
    /// back into the database (truncating it), so deletes have room.
    func diskFilled(_ connection: SQLiteConnection?) {
        enterShort()
        _ = try? connection?.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        // What the truncation just freed is the deletes' room, not a sign the
        // disk has space again: look afresh only after a while.
        lastLook = DispatchTime.now().uptimeNanoseconds
    }

    /// After each transaction: notices space coming back or running low.
    func afterCommit() {
        look(force: false)
    }

    private func enterShort() {
        short = true
        setTight(true)
        unlink(reservePath)
    }

    private func look(force: Bool) {
        let now = DispatchTime.now().uptimeNanoseconds
        guard force || now &- lastLook >= interval else { return }
        lastLook = now
        guard let free = measureFree(directory) else { return }
        if short, free >= 2 * reserveBytes, takeReserve() {
            short = false
        }
        setTight(short || free < Self.tightBytes)
    }

    /// Space an unprivileged writer may still use on the filesystem of `directory`.
    static func statvfsFree(_ directory: String) -> Int64? {
        var info = statvfs()
        guard statvfs(directory, &info) == 0 else { return nil }
        return Int64(clamping: UInt64(info.f_bavail).multipliedReportingOverflow(by: UInt64(info.f_frsize)).partialValue)
    }

    /// Creates the reserve file with its blocks allocated; false when the
    /// disk has no room for it.
    private func takeReserve() -> Bool {
        let fd = open(reservePath, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if posix_fallocate(fd, 0, off_t(reserveBytes)) == 0 { return true }
        unlink(reservePath)
        return false
    }
}
