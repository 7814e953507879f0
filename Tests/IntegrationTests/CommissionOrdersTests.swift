import DiscountClient
import Foundation
import Testing

/// RecordOrder and GetMyCommissions: attribution by code, idempotence on order id, refunds.
@Suite struct CommissionOrdersTests {
    @Test func attributionIsIdempotentAndARefundReversesIt() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let agent = try await client.registerAgent(name: "Acme")
            let campaign = try await client.makeCampaign(name: "Spring", discount: 15, commission: 10)
            let code = try await client.myCode(agent.agentId, campaign).discountCode
            let occurred = ProtoTimestamp(seconds: 1_780_000_000)

            // Codes match case-insensitively; unknown codes are skipped.
            let order = RecordOrderRequest(
                orderId: "1001", codes: ["WELCOME", code.lowercased()], subtotal: 8_500, currency: "usd",
                occurredAt: occurred, status: .paid)
            let first = try await client.recordOrder(order)
            #expect(first.created && first.attributed)
            #expect(first.agentId == agent.agentId && first.campaignId == campaign.campaignId)
            #expect(first.matchedCode == code)
            #expect(first.commission == 850 && first.currency == "USD" && first.status == .paid)

            // A replay changes nothing.
            let replay = try await client.recordOrder(order)
            #expect(!replay.created && replay.commission == 850 && replay.agentId == agent.agentId)
            var figures = try await client.getMyCommissions(GetMyCommissionsRequest(agentId: agent.agentId))
            #expect(
                figures.campaigns == [
                    CampaignCommission(
                        campaignId: campaign.campaignId, campaignName: "Spring", currency: "USD", orders: 1, sales: 8_500,
                        commission: 850)
                ])
            #expect(figures.totals == [CommissionTotal(currency: "USD", orders: 1, sales: 8_500, commission: 850)])

            // A refund reverses the commission.
            var refund = order
            refund.status = .refunded
            let refunded = try await client.recordOrder(refund)
            #expect(!refunded.created && refunded.attributed && refunded.commission == 0 && refunded.status == .refunded)
            figures = try await client.getMyCommissions(GetMyCommissionsRequest(agentId: agent.agentId))
            #expect(figures.totals == [CommissionTotal(currency: "USD", orders: 0, sales: 0, commission: 0)])

            // Pending earns nothing yet; paid later does.
            let pending = try await client.recordOrder(
                RecordOrderRequest(
                    orderId: "1002", codes: [code], subtotal: 1_000, currency: "USD", occurredAt: occurred, status: .pending))
            #expect(pending.created && pending.commission == 0)
            let paid = try await client.recordOrder(
                RecordOrderRequest(
                    orderId: "1002", codes: [code], subtotal: 1_000, currency: "USD", occurredAt: occurred, status: .paid))
            #expect(!paid.created && paid.commission == 100)

            // Outside the window: nothing.
            let before = try await client.getMyCommissions(
                GetMyCommissionsRequest(
                    agentId: agent.agentId, until: ProtoTimestamp(seconds: 1_700_000_000)))
            #expect(before.campaigns.isEmpty && before.totals.isEmpty)
        }
    }

    @Test func ordersWithoutAnAgentCodeAreNotAttributed() async throws {
        try await withTestDaemon { daemon in
            let client = try await daemon.client()
            let answer = try await client.recordOrder(
                RecordOrderRequest(
                    orderId: "2001", codes: ["SUMMER20"], subtotal: 5_000, currency: "EUR", status: .paid))
            #expect(answer.created && !answer.attributed && answer.agentId == nil && answer.commission == 0)
            await expectRPCError(.invalidArgument, field: "status") {
                try await client.recordOrder(RecordOrderRequest(orderId: "2002", subtotal: 1, currency: "EUR"))
            }
            await expectRPCError(.notFound, reason: "AGENT_NOT_REGISTERED") {
                try await client.getMyCommissions(GetMyCommissionsRequest(agentId: 999))
            }
        }
    }
}
