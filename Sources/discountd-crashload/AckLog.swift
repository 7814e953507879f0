import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One acknowledged write, as the load saw it answered.
enum Ack: Equatable {
    /// CreateDiscountCode: the code text and the id the daemon gave it.
    case code(code: String, id: String)
    /// RedeemDiscountCode: a new (not replayed) use of `code` by `order`.
    case redeem(code: String, order: String)
    /// AssignVoucherCode: `code` handed to `customer`.
    case assign(customer: String, code: String)
    /// RegisterAgent.
    case agent(name: String, id: Int64)
    /// GetMyDiscountCode: the agent's code for the campaign.
    case agentCode(agentID: Int64, campaignID: Int64, code: String)

    var line: String {
        switch self {
        case .code(let code, let id): "code\t\(code)\t\(id)\n"
        case .redeem(let code, let order): "redeem\t\(code)\t\(order)\n"
        case .assign(let customer, let code): "assign\t\(customer)\t\(code)\n"
        case .agent(let name, let id): "agent\t\(name)\t\(id)\n"
        case .agentCode(let agent, let campaign, let code): "agentcode\t\(agent)\t\(campaign)\t\(code)\n"
        }
    }

    init?(line: Substring) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        switch (fields.first, fields.count) {
        case ("code", 3): self = .code(code: fields[1], id: fields[2])
        case ("redeem", 3): self = .redeem(code: fields[1], order: fields[2])
        case ("assign", 3): self = .assign(customer: fields[1], code: fields[2])
        case ("agent", 3):
            guard let id = Int64(fields[2]) else { return nil }
            self = .agent(name: fields[1], id: id)
        case ("agentcode", 4):
            guard let agent = Int64(fields[1]), let campaign = Int64(fields[2]) else { return nil }
            self = .agentCode(agentID: agent, campaignID: campaign, code: fields[3])
        default: return nil
        }
    }
}

/// The append-only file of acknowledged writes. Each ack is one write(2) of
/// one line with O_APPEND, done before the load counts the write as
/// acknowledged: once `append` returns, the line is in the kernel and
/// survives the load being killed (the test kills processes, not the machine).
final class AckLog: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()

    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LoadFailure("cannot open \(path): \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    func append(_ ack: Ack) throws {
        let line = Array(ack.line.utf8)
        try lock.withLock {
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == line.count else {
                throw LoadFailure("ack log write failed: \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Every complete line of the log (a torn last line, if any, is not an ack).
    static func read(path: String) throws -> [Ack] {
        guard let data = FileManager.default.contents(atPath: path) else { return [] }
        var text = String(decoding: data, as: UTF8.self)
        // Only lines ending in a newline were written whole.
        if let last = text.lastIndex(of: "\n") { text = String(text[...last]) } else { text = "" }
        var acks: [Ack] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            guard let ack = Ack(line: line) else { throw LoadFailure("unreadable ack log line: \(line)") }
            acks.append(ack)
        }
        return acks
    }
}

struct LoadFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
