/// The agent code format `CC-{AGENT}-{RANDOM}`: AGENT is the first four ASCII
/// letters or digits of the agent's name upper-cased (fewer when the name has
/// fewer), RANDOM four upper-case alphanumerics from the system CSPRNG.
public enum AgentCodeFormat {
    public static let randomAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    public static let randomLength = 4

    /// The AGENT part for `name`; "AGNT" when the name has no ASCII alphanumerics,
    /// so the code never gets an empty segment.
    public static func agentPart(_ name: String) -> String {
        let part = String(name.uppercased().filter { $0.isASCII && ($0.isLetter || $0.isNumber) }.prefix(4))
        return part.isEmpty ? "AGNT" : part
    }

    public static func make<G: RandomNumberGenerator>(agentName: String, using generator: inout G) -> String {
        var random = ""
        for _ in 0..<randomLength {
            random.append(randomAlphabet[Int(generator.next(upperBound: UInt64(randomAlphabet.count)))])
        }
        return "CC-\(agentPart(agentName))-\(random)"
    }

    /// A fresh code from the system CSPRNG.
    public static func make(agentName: String) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(agentName: agentName, using: &generator)
    }
}
