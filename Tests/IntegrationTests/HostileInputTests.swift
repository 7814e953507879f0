import DiscountClient
import DiscountTestSupport
import Foundation
import TTRPC
import Testing

/// Requests a hostile client can send with nothing but ordinary calls: each
/// one used to trap the daemon (taking every tenant down) or to store
/// something misleading. Each must now get a clear answer, and the daemon
/// must go on serving. Run in-process: a trap fails this whole test run.
@Suite struct HostileInputTests {
    /// Seconds past 9999-12-31: enough to overflow microseconds in an Int64.
    static let hugeSeconds: Int64 = 9_300_000_000_000
    static let huge = ProtoTimestamp(seconds: hugeSeconds, nanos: 0)

    @Test func timesOutsideTimestampRangeAreInvalidArgumentsEverywhere() async throws {
        try await withInProcessDaemon { daemon in
            let client = try await daemon.client()
            await expectRPCError(.invalidArgument, field: "starts_at", "CreatePriceRule") {
                try await client.createPriceRule(.init(title: "t", valueType: .percentage, value: 5, startsAt: Self.huge))
            }
            await expectRPCError(.invalidArgument, field: "ends_at", "CreatePriceRule ends_at") {
                try await client.createPriceRule(
                    .init(
                        title: "t", valueType: .percentage, value: 5, endsAt: ProtoTimestamp(seconds: .min, nanos: 0)))
            }
            let rule = try await client.makeRule()
            await expectRPCError(.invalidArgument, field: "ends_at", "UpdatePriceRule") {
                try await client.updatePriceRule(.init(priceRuleId: rule.id, endsAt: Self.huge))
            }
            await expectRPCError(.invalidArgument, field: "starts_at", "CreateCampaign") {
                try await client.createCampaign(.init(name: "c", discountPercent: 10, commissionPercent: 5, startsAt: Self.huge))
            }
            let campaign = try #require(
                try await client.createCampaign(
                    .init(name: "c", discountPercent: 10, commissionPercent: 5)
                ).campaign)
            await expectRPCError(.invalidArgument, field: "ends_at", "UpdateCampaign") {
                try await client.updateCampaign(.init(campaignId: campaign.campaignId, endsAt: Self.huge))
            }
            await expectRPCError(.invalidArgument, field: "ends_at", "EndCampaign") {
                try await client.endCampaign(.init(campaignId: campaign.campaignId, endsAt: Self.huge))
            }
            await expectRPCError(.invalidArgument, field: "expires_at", "CreateToken") {
                try await client.createToken(.init(projectId: "default", scopes: ["admin"], expiresAt: Self.huge))
            }
            let agent = try await client.registerAgent(name: "hostile")
            await expectRPCError(.invalidArgument, field: "occurred_at", "RecordOrder") {
                try await client.recordOrder(
                    .init(
                        orderId: "o-1", codes: [], subtotal: 100, currency: "USD", occurredAt: Self.huge, status: .paid))
            }
            await expectRPCError(.invalidArgument, field: "since", "GetMyCommissions since") {
                try await client.getMyCommissions(.init(agentId: agent.agentId, since: Self.huge))
            }
            await expectRPCError(.invalidArgument, field: "until", "GetMyCommissions until") {
                try await client.getMyCommissions(.init(agentId: agent.agentId, until: ProtoTimestamp(seconds: 0, nanos: -1)))
            }
            await expectRPCError(.invalidArgument, field: "starts_at", "nanos of a second") {
                try await client.createPriceRule(
                    .init(
                        title: "t", valueType: .percentage, value: 5, startsAt: ProtoTimestamp(seconds: 0, nanos: 1_000_000_000)))
            }
            // The last second of year 9999 is a time like any other.
            let lastSecond = ProtoTimestamp(seconds: 253_402_300_799, nanos: 999_999_999)
            let lasting = try await client.createPriceRule(
                .init(title: "t", valueType: .percentage, value: 5, endsAt: lastSecond))
            #expect(lasting.priceRule?.endsAt?.seconds == 253_402_300_799)
            #expect(try await client.health().status == .serving)
        }
    }

    @Test func moneyAtTheEdgesOfInt64IsRefusedOrExact() async throws {
        try await withInProcessDaemon { daemon in
            let client = try await daemon.client()
            let agent = try await client.registerAgent(name: "edge")
            let campaign = try await client.makeCampaign(name: "all", discount: 10, commission: 100)
            let code = try await client.myCode(agent.agentId, campaign)
            await expectRPCError(.invalidArgument, field: "subtotal", "subtotal 2^63-1") {
                try await client.recordOrder(
                    .init(
                        orderId: "big", codes: [code.discountCode], subtotal: .max, currency: "USD", status: .paid))
            }
            let largest: Int64 = 1_000_000_000_000_000
            let order = try await client.recordOrder(
                .init(
                    orderId: "largest", codes: [code.discountCode], subtotal: largest, currency: "USD", status: .paid))
            #expect(order.commission == largest)

            for bad in [Double.infinity, 1e300, Double.nan, -Double.infinity] {
                await expectRPCError(.invalidArgument, field: "value", "fixed_amount \(bad)") {
                    try await client.createPriceRule(.init(title: "t", valueType: .fixedAmount, value: bad, currency: "USD"))
                }
            }
            await expectRPCError(.invalidArgument, field: "value", "percentage NaN") {
                try await client.createPriceRule(.init(title: "t", valueType: .percentage, value: .nan))
            }
            await expectRPCError(.invalidArgument, field: "currency", "not an ISO 4217 code") {
                try await client.createPriceRule(.init(title: "t", valueType: .fixedAmount, value: 500, currency: "USS"))
            }
            let rule = try await client.createPriceRule(.init(title: "t", valueType: .fixedAmount, value: 500, currency: "eur"))
            #expect(rule.priceRule?.currency == "EUR")
            // Listing still encodes (an infinite value once broke every listing).
            #expect(try await client.listPriceRules().priceRules.count == 1)
        }
    }

    @Test func codeTextIsLimitedAndVisibleAndLookAlikesCollide() async throws {
        try await withInProcessDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            // NUL used to cut the text: `A\u{0}B` was stored as `A`. (A Swift
            // client cannot even send it, so the bytes are written by hand.)
            let raw = try await TTRPCClient.connect(socketPath: daemon.socketPath)
            let withNUL = Wire.field(1, Array(rule.id.utf8)) + Wire.field(2, Wire.field(1, Array("A\u{0}B".utf8)))
            await expectRPCError(.invalidArgument, field: "discount_code.code", messageContains: ["NUL"], "NUL") {
                try await raw.call(PriceRulesRPC.createDiscountCode, payload: withNUL)
            }
            let notUTF8 = Wire.field(1, Array(rule.id.utf8)) + Wire.field(2, Wire.field(1, [0x41, 0xFF, 0x42]))
            await expectRPCError(.invalidArgument, field: "discount_code.code", messageContains: ["UTF-8"], "invalid UTF-8") {
                try await raw.call(PriceRulesRPC.createDiscountCode, payload: notUTF8)
            }
            await raw.close()
            #expect(try await client.listDiscountCodes(.init(priceRuleId: rule.id)).discountCodes.isEmpty)
            await expectRPCError(.invalidArgument, field: "discount_code.code", "a million combining marks") {
                try await client.createDiscountCode(
                    priceRuleID: rule.id, code: "A" + String(repeating: "\u{301}", count: 1_000_000))
            }
            for invisible in ["\u{2028}", "\u{202E}", "\u{200B}", "\u{85}", "\u{1B}"] {
                await expectRPCError(.invalidArgument, field: "discount_code.code", "U+\(invisible.unicodeScalars.first!.value)")
                {
                    try await client.createDiscountCode(priceRuleID: rule.id, code: "SALE\(invisible)10")
                }
            }
            _ = try await client.createDiscountCode(priceRuleID: rule.id, code: "ＳＵＭＭＥＲ")
            await expectRPCError(.alreadyExists, reason: "CODE_TAKEN", "fullwidth and ASCII") {
                try await client.createDiscountCode(priceRuleID: rule.id, code: "summer")
            }
            #expect(try await client.lookupDiscountCode(code: "Summer").discountCode?.code == "ＳＵＭＭＥＲ")
            _ = try await client.createDiscountCode(priceRuleID: rule.id, code: "CAF\u{C9}")  // NFC
            await expectRPCError(.alreadyExists, reason: "CODE_TAKEN", "NFD of the same") {
                try await client.createDiscountCode(priceRuleID: rule.id, code: "CAFE\u{301}")
            }
            _ = try await client.createDiscountCode(priceRuleID: rule.id, code: "STRASSE")
            await expectRPCError(.alreadyExists, reason: "CODE_TAKEN", "case folding") {
                try await client.createDiscountCode(priceRuleID: rule.id, code: "straße")
            }
            await expectRPCError(.invalidArgument, field: "agent_name", "names too") {
                try await client.registerAgent(name: "agent\u{202E}evil")
            }
        }
    }

    @Test func anEndedCampaignShowsExistingCodesButMakesNone() async throws {
        try await withInProcessDaemon { daemon in
            let client = try await daemon.client()
            let early = try await client.registerAgent(name: "early bird")
            let late = try await client.registerAgent(name: "late comer")
            let campaign = try await client.makeCampaign(name: "short", discount: 10, commission: 5)
            let kept = try await client.myCode(early.agentId, campaign)
            _ = try await client.endCampaign(.init(campaignId: campaign.campaignId))

            let again = try #require(
                try await client.getMyDiscountCode(
                    agentID: early.agentId, campaignID: campaign.campaignId
                ).discountCodes.first)
            #expect(again.discountCode == kept.discountCode)
            #expect(again.isActive == false)
            await expectRPCError(.failedPrecondition, reason: "CAMPAIGN_NOT_ACTIVE", field: "campaign_id") {
                try await client.getMyDiscountCode(agentID: late.agentId, campaignID: campaign.campaignId)
            }
            // Still none for the late agent: the refusal wrote nothing.
            await expectRPCError(.failedPrecondition, reason: "CAMPAIGN_NOT_ACTIVE") {
                try await client.getMyDiscountCode(agentID: late.agentId, campaignID: campaign.campaignId)
            }
            #expect(
                try await daemon.store.agentCode(
                    projectID: "default", agentID: late.agentId, campaignID: campaign.campaignId) == nil)
        }
    }

    @Test func aPageTokenTheDaemonDidNotGiveIsRefused() async throws {
        try await withInProcessDaemon { daemon in
            let client = try await daemon.client()
            let rule = try await client.makeRule()
            await expectRPCError(.invalidArgument, field: "page_token", "ListPriceRules") {
                try await client.listPriceRules(.init(pageToken: "not-a-token"))
            }
            await expectRPCError(.invalidArgument, field: "page_token", "ListDiscountCodes") {
                try await client.listDiscountCodes(.init(priceRuleId: rule.id, pageToken: "'; DROP TABLE"))
            }
            let page = try await client.listPriceRules(.init(pageSize: 1))
            #expect(try await client.listPriceRules(.init(pageToken: page.nextPageToken)).priceRules.isEmpty)
        }
    }

    @Test func aTokenSecretIsNeverKeptForReplays() async throws {
        try await withInProcessDaemon { daemon in
            let client = try await daemon.client()
            let first = try await client.createToken(.init(projectId: "default", scopes: ["commission"]), idempotencyKey: "t-1")
            #expect(first.token.hasPrefix("dsk_"))
            let replay = try await client.createToken(.init(projectId: "default", scopes: ["commission"]), idempotencyKey: "t-1")
            #expect(replay.tokenId == first.tokenId)
            #expect(replay.token == "", "a replay shows the id, never the secret again")
            // The secret works, and is nowhere in the database file.
            let agentClient = try await daemon.client(.init(token: first.token))
            _ = try await agentClient.getActiveCampaigns()
            await daemon.store.close()
            for file in ["discountd.sqlite", "discountd.sqlite-wal"] {
                let bytes = (try? Data(contentsOf: daemon.directory.appendingPathComponent(file))) ?? Data()
                #expect(bytes.range(of: Data(first.token.utf8)) == nil, "\(file) holds the secret")
            }
        }
    }

    @Test func statsAndOtherProjectsAreForTheOperatorOnly() async throws {
        try await withInProcessDaemon { daemon in
            let owner = try await daemon.client()
            let project = try #require(try await owner.createProject(name: "tenant").project)
            let tenantAdmin = try await daemon.client(
                .init(
                    token: try await owner.createToken(
                        projectID: project.id, scopes: ["admin"]
                    ).token))
            await expectRPCError(.permissionDenied, reason: "SCOPE_MISSING", "a project's admin reading daemon stats") {
                try await tenantAdmin.stats()
            }
            _ = try await owner.stats()

            // A default-project token with read_vouchers reaches the default project only.
            let pool = try #require(try await owner.createVoucherPool(projectID: project.id, name: "p").pool)
            let reader = try await daemon.client(
                .init(
                    token: try await owner.createToken(
                        projectID: "default", scopes: ["read_vouchers"]
                    ).token))
            await expectRPCError(.notFound, "another project's pools") {
                try await reader.listVoucherPools(projectID: project.id)
            }
            await expectRPCError(.notFound, "another project's codes") {
                try await reader.listVoucherCodes(.init(projectId: project.id, poolId: pool.id))
            }
            #expect(try await reader.listProjects().projects.map(\.id) == ["default"])
            #expect(try await owner.listVoucherPools(projectID: project.id).data.count == 1)
        }
    }
}

/// Protobuf bytes written by hand, for what a typed client cannot send.
enum Wire {
    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value
        var bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7F) | (value >= 0x80 ? 0x80 : 0))
            value >>= 7
        } while value > 0
        return bytes
    }

    /// A length-delimited field (string, bytes or message).
    static func field(_ number: UInt64, _ bytes: [UInt8]) -> [UInt8] {
        varint(number << 3 | 2) + varint(UInt64(bytes.count)) + bytes
    }
}
