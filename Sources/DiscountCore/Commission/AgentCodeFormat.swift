/// The agent code format `CC-{AGENT}-{RANDOM}`: AGENT is the first four ASCII
/// letters or digits of the agent's name upper-cased (fewer when the name has
/// fewer), RANDOM four upper-case alphanumerics from the system CSPRNG.
public enum AgentCodeFormat {
    public static let randomAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    public static let randomLength = 4

    /// The AGENT part for `name`; "AGNT" when the name has no ASCII alphanumerics,
    /// so the code never gets an empty segment.
    public static func agentPart(_ name: String) -> String {
        asciiAgentPart(name) ?? unicodeAgentPart(name)
    }

    /// The common case on the name's bytes; nil when a non-ASCII character
    /// comes before the fourth alphanumeric (upper-casing it may make ASCII
    /// letters: "ß" becomes "SS").
    private static func asciiAgentPart(_ name: String) -> String? {
        var part: [UInt8] = []
        part.reserveCapacity(4)
        for byte in name.utf8 {
            if part.count == 4 { break }
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): part.append(byte - 32)
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): part.append(byte)
            case 0x80...: return nil
            default: continue
            }
        }
        return part.isEmpty ? "AGNT" : String(decoding: part, as: UTF8.self)
    }

    private static func unicodeAgentPart(_ name: String) -> String {
        let part = String(name.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(4))
        return part.isEmpty ? "AGNT" : part
    }

    /// RANDOM is one uniform draw below 36⁴, written in base 36.
    public static func make<G: RandomNumberGenerator>(agentName: String, using generator: inout G) -> String {
        var draw = generator.next(upperBound: UInt64(36 * 36 * 36 * 36))
        var random = ""
        for _ in 0..<randomLength {
            random.append(randomAlphabet[Int(draw % 36)])
            draw /= 36
        }
        return "CC-\(agentPart(agentName))-\(random)"
    }
}
