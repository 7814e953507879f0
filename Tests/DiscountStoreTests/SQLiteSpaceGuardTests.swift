import DiscountStore
import Foundation
import Testing

@testable import DiscountStoreSQLite

/// The space guard's decisions with the free space it sees made up.
@Suite struct SQLiteSpaceGuardTests {
    final class Disk: @unchecked Sendable {
        var free: Int64 = 1 << 30
        var tight = false
    }

    func makeGuard(_ disk: Disk, in directory: String) -> SQLiteSpaceGuard {
        let spaceGuard = SQLiteSpaceGuard(
            databasePath: directory + "/discountd.sqlite", reserveBytes: 1 << 20, setTight: { disk.tight = $0 },
            measureFree: { _ in disk.free })
        spaceGuard.interval = 0
        return spaceGuard
    }

    @Test func aFullDiskAdmitsOnlyWritesThatFreeSpaceUntilThereIsRoomAgain() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("guard-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reserve = directory + "/" + SQLiteSpaceGuard.reserveFileName
        let disk = Disk()
        let spaceGuard = makeGuard(disk, in: directory)
        #expect(FileManager.default.fileExists(atPath: reserve))
        #expect(spaceGuard.refusal(freesSpace: false) == nil)
        #expect(!disk.tight)

        disk.free = 0
        spaceGuard.diskFilled(nil)
        #expect(!FileManager.default.fileExists(atPath: reserve), "the reserve is released for deletes")
        #expect(disk.tight)
        #expect(spaceGuard.refusal(freesSpace: true) == nil)
        #expect(spaceGuard.refusal(freesSpace: false) == .storageFull)
        disk.free = 3 << 19  // 1.5 MiB: less than twice the reserve
        #expect(spaceGuard.refusal(freesSpace: false) == .storageFull)
        disk.free = 3 << 20
        #expect(spaceGuard.refusal(freesSpace: false) == nil)
        #expect(FileManager.default.fileExists(atPath: reserve), "the reserve is taken back")
        #expect(!spaceGuard.short)
    }

    @Test func lowFreeSpaceMakesCheckpointsTight() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("guard-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let disk = Disk()
        let spaceGuard = makeGuard(disk, in: directory)
        disk.free = SQLiteSpaceGuard.tightBytes - 1
        spaceGuard.afterCommit()
        #expect(disk.tight)
        disk.free = SQLiteSpaceGuard.tightBytes * 2
        spaceGuard.afterCommit()
        #expect(!disk.tight)
    }
}
