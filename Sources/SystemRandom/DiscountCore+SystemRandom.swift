import DiscountCore
import Synchronization

/// The kernel's CSPRNG for DiscountCore's generators, which take their
/// randomness as a parameter (the domain module does no I/O): one buffered
/// source per process, read a few KiB at a time.
let systemRandom = Mutex(BufferedRandom())

extension TimeOrderedID {
    /// A new id with a random tail from the kernel's CSPRNG.
    public static func make() -> String {
        make(randomTail: systemRandom.withLock { $0.next() })
    }
}

extension AgentCodeFormat {
    /// A fresh code with its random part from the kernel's CSPRNG.
    public static func make(agentName: String) -> String {
        systemRandom.withLock { make(agentName: agentName, using: &$0) }
    }
}

extension CodeGenerator {
    /// `count` distinct codes from the kernel's CSPRNG (its own buffer, so a
    /// million-code batch does not hold the shared one).
    public func generate(_ count: Int, excluding excluded: Set<String> = []) -> [String] {
        var random = BufferedRandom()
        return generate(count, excluding: excluded, using: &random)
    }
}
