import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Foundation
import ProcessSpawning
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A full disk, for real: the store on a small tmpfs (mounting one needs
/// root, as CI has). A write that finds no space fails as `storageFull` (not
/// a generic failure); deletes still commit; writes resume once there is
/// space again; nothing acknowledged is lost.
@Suite(.enabled(if: getuid() == 0, "mounting a tmpfs needs root"), .serialized)
struct SQLiteDiskFullTests {
    @Test func aFullDiskRefusesInsertsButNotDeletesAndRecovers() async throws {
        let disk = try SmallDisk(megabytes: 6)
        defer { disk.remove() }
        let path = disk.path + "/discountd.sqlite"
        var store: SQLiteStore? = try SQLiteStore.open(path: path, reserveBytes: 1 << 20)
        let rule = Fixtures.rule()
        try await store!.insertPriceRule(rule)

        var stored = try await Self.fill(store!, rule: rule)

        // Short of space: deletes commit. (Whether the next insert fits depends on
        // what the log gave back; SQLiteSpaceGuardTests pins down the policy.)
        for code in stored.prefix(50) {
            #expect(try await store!.deleteDiscountCode(projectID: code.projectID, id: code.id))
        }
        stored.removeFirst(50)
        do {
            try await store!.insertDiscountCode(Fixtures.code("ONE-MORE", rule: rule))
            stored.append(Fixtures.code("ONE-MORE", rule: rule))
        } catch {
            #expect(error as? StoreError == .storageFull, "a write on a full disk failed with \(error)")
        }

        // Space comes back: once the store has looked again, writes resume.
        try disk.resize(megabytes: 64)
        try await Task.sleep(for: .milliseconds(1_200))
        _ = try await store!.deleteDiscountCode(projectID: "default", id: "none")  // a write lets it look
        try await store!.insertDiscountCode(Fixtures.code("AFTER", rule: rule))

        // Everything acknowledged survived, nothing refused was kept.
        await store!.close()
        store = try SQLiteStore.open(path: path, reserveBytes: 1 << 20)
        #expect(try await store!.countDiscountCodes(projectID: "default") == Int64(stored.count + 1))
        await store!.close()
    }

    /// GetMyDiscountCode's store call is one write job that looks for the
    /// code first; a full disk refuses the job before it looks, so the code
    /// an agent already has must still come back (a new one cannot).
    @Test func aFullDiskStillAnswersAnAgentTheCodeItHas() async throws {
        let disk = try SmallDisk(megabytes: 6)
        defer { disk.remove() }
        let store = try SQLiteStore.open(path: disk.path + "/discountd.sqlite", reserveBytes: 1 << 20)
        let agent = try await Fixtures.agent(store)
        let newcomer = try await Fixtures.agent(store, "Newcomer 2")
        let campaign = try await Fixtures.campaign(store)
        let rule = Fixtures.rule()
        try await store.insertPriceRule(rule)
        let codeFor = { (agent: Agent) in
            try await store.getOrCreateAgentCode(
                projectID: Project.defaultID, agentID: agent.id, agentName: agent.name, campaignID: campaign.id,
                initial: .pending, at: Fixtures.t0)
        }
        let (made, _) = try await codeFor(agent)

        _ = try await Self.fill(store, rule: rule)

        let (again, created) = try await codeFor(agent)
        #expect(again.id == made.id && again.code == made.code && !created)
        await #expect(throws: StoreError.storageFull) { try await codeFor(newcomer) }
        await store.close()
    }

    /// Inserts codes, a chunk at a time, until the store says the disk is
    /// full; returns the codes it took.
    static func fill(_ store: SQLiteStore, rule: PriceRule) async throws -> [DiscountCode] {
        var stored: [DiscountCode] = []
        var fullError: (any Error)?
        fill: for round in 0..<200 {
            let chunk = (0..<500).map { Fixtures.code("FILL-\(round)-\($0)-\(String(repeating: "X", count: 40))", rule: rule) }
            do {
                _ = try await store.insertDiscountCodes(chunk)
                stored += chunk
            } catch {
                fullError = error
                break fill
            }
        }
        #expect(fullError as? StoreError == .storageFull, "got \(String(describing: fullError))")
        #expect(!stored.isEmpty)
        return stored
    }
}

/// A tmpfs of a few megabytes, mounted for one test.
struct SmallDisk {
    let path: String

    init(megabytes: Int) throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("discountd-full-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try Self.run("/bin/mount", "-t", "tmpfs", "-o", "size=\(megabytes)m,mode=0700", "tmpfs", path)
    }

    func resize(megabytes: Int) throws {
        try Self.run("/bin/mount", "-o", "remount,size=\(megabytes)m", path)
    }

    func remove() {
        try? Self.run("/bin/umount", path)
        try? FileManager.default.removeItem(atPath: path)
    }

    private static func run(_ tool: String, _ arguments: String...) throws {
        let output = try ChildProcess.runSynchronously(tool, arguments)
        guard output.status == 0 else {
            throw StoreError.failure("\(tool) \(arguments.joined(separator: " ")) exited \(output.status): \(output.stderr)")
        }
    }
}
