import DiscountClient

/// The reads of the soak: a hot set of codes and agents, answered from the
/// daemon's caches, plus pool and health reads.
struct ReadOperations: Sendable {
    let client: DiscountClient
    let fixtures: Fixtures
    let known: KnownObjects
    let counters: LoadCounters
    /// Reads pick among the first this many codes and agents.
    let hotSet: Int

    func any() async throws {
        switch Int.random(in: 0..<100) {
        case 0..<35:
            guard let code = known.randomCode(within: hotSet) else { return }
            let found = try await client.lookupDiscountCode(code: code)
            if found.discountCode?.code != code { counters.unexpected("LookupDiscountCode \(code) answered another code") }
        case 35..<60:
            guard let agent = known.randomAgent(within: hotSet) else { return }
            let mine = try await client.getMyDiscountCode(agentID: agent, campaignID: fixtures.campaignID)
            if mine.discountCodes.isEmpty { counters.unexpected("GetMyDiscountCode \(agent) answered no code") }
        case 60..<80:
            guard let code = known.randomCode(within: hotSet) else { return }
            _ = try await client.validateDiscountCode(code: code)
        case 80..<90:
            _ = try await client.getVoucherPool(poolID: fixtures.poolID)
        default:
            _ = try await client.health()
        }
        counters.read()
    }
}
