import ArgumentParser
import DiscountBench
import DiscountClient
import Foundation

/// Where `discountctl bench` connects, and how it sets up or reads its fixtures.
struct BenchTarget: ParsableArguments {
    @Option(help: "The daemon's socket. (env: DISCOUNTD_SOCKET)")
    var socket: String = env("DISCOUNTD_SOCKET") ?? "./discountd.sock"

    @Option(name: .customLong("token"), help: "Bearer token for every call. (env: DISCOUNTD_TOKEN)")
    var tokenOption: String?

    @Option(help: "Read the fixtures from this file (`discountctl bench fixtures` output) instead of setting them up.")
    var fixtures: String?

    @Option(help: "Voucher codes to generate for assign-voucher-code (each call takes one).")
    var voucherCodes: Int = 100_000

    @Option(help: "Agents to register for get-my-discount-code-first (each call uses one up).")
    var firstTimeAgents: Int = 100_000

    var token: String? { tokenOption ?? env("DISCOUNTD_TOKEN") }

    var metadata: [(String, String)] { token.map { [("authorization", "Bearer \($0)")] } ?? [] }

    mutating func validate() throws {
        guard voucherCodes >= 0, voucherCodes <= 10_000_000 else { throw ValidationError("--voucher-codes: 0…10000000") }
        guard firstTimeAgents >= 0, firstTimeAgents <= 10_000_000 else {
            throw ValidationError("--first-time-agents: 0…10000000")
        }
    }

    /// The fixtures `scenarios` need: read from `--fixtures`, or set up now.
    func fixtures(for scenarios: Set<BenchScenario>) async throws -> BenchFixtures {
        if let path = fixtures {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIFailure.input("cannot read --fixtures \(path)")
            }
            do {
                return try JSONDecoder().decode(FixturesFile.self, from: data).fixtures
            } catch {
                throw CLIFailure.input("--fixtures \(path) is not `discountctl bench fixtures` output: \(error)")
            }
        }
        let needsData = scenarios.contains { $0 != .health }
        guard needsData else { return BenchFixtures() }
        let client: DiscountClient
        do {
            client = try await DiscountClient.connect(
                socketPath: socket, options: .init(token: token, timeout: .seconds(60)))
        } catch {
            throw CLIFailure.unreachable(socket: socket, cause: "\(error)")
        }
        do {
            let result = try await BenchFixtures.setUp(
                client: client, socketPath: socket, scenarios: scenarios,
                needs: .init(voucherCodes: voucherCodes, firstTimeAgents: firstTimeAgents),
                tag: Self.randomTag(), metadata: metadata)
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// Six base-36 characters: names of this run's fixtures never collide with earlier runs'.
    static func randomTag() -> String {
        String(String(decoding: PayloadTemplate.base36(UInt64.random(in: 0..<(1 << 62))), as: UTF8.self).suffix(6))
    }
}

/// What `discountctl bench fixtures` prints: the ids, and every scenario's call
/// with its payload template in hex (ttrpc_bench's `--hex`, and `--varint-base`).
struct FixturesFile: Codable {
    struct Call: Codable {
        var service: String
        var method: String
        var hex: String
        var varintBase: Int64?
        enum CodingKeys: String, CodingKey {
            case service, method, hex
            case varintBase = "varint_base"
        }
    }

    var fixtures: BenchFixtures
    var calls: [String: Call]

    init(fixtures: BenchFixtures) {
        self.fixtures = fixtures
        let requests = BenchRequests(fixtures: fixtures)
        var calls: [String: Call] = [:]
        for scenario in BenchScenario.allCases where scenario != .mixed {
            let call = requests.call(scenario, sequence: 0, echo: false)
            calls[scenario.rawValue] = Call(
                service: call.service, method: call.method, hex: call.template.hex,
                varintBase: call.template.varintOffset == nil ? nil : fixtures.firstTimeAgentBase)
        }
        self.calls = calls
    }
}

func printJSON<Value: Encodable>(_ value: Value) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}
