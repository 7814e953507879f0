import DiscountClient
import Foundation
import Testing

/// discountd.v1.Commission against the real daemon: agents, campaigns, codes, seed errors.
@Suite struct CommissionTests {
    @Test func registerAgentReturnsTheSameAgentForTheSameName() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client()
            let first = try await client.registerAgent(name: "Acme Sales", contact: "acme@example.com")
            #expect(first.created && first.agentId > 0 && first.agentName == "Acme Sales" && first.registeredAt != nil)
            let again = try await client.registerAgent(name: "Acme Sales")
            #expect(!again.created && again.agentId == first.agentId && again.registeredAt == first.registeredAt)
            let other = try await client.registerAgent(name: "Bolt")
            #expect(other.created && other.agentId != first.agentId)
        }
    }

    @Test func seedErrorsWordForWord() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client()
            let error = await expectRPCError(.notFound, reason: "AGENT_NOT_REGISTERED", field: "agent_id") {
                try await client.getMyDiscountCode(agentID: 4242)
            }
            #expect(error?.message == "Agent not registered. Call register_agent first.")
            #expect(error?.detail?.hint == "Use register_agent to get an agent_id.")

            let agent = try await client.registerAgent(name: "Acme")
            let missing = await expectRPCError(.notFound, reason: "CAMPAIGN_NOT_FOUND", field: "campaign_id") {
                try await client.getMyDiscountCode(agentID: agent.agentId, campaignID: 99)
            }
            #expect(missing?.message == "Campaign 99 not found.")
        }
    }

    @Test func noActiveCampaignsGivesTheSeedMessage() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client()
            let agent = try await client.registerAgent(name: "Acme")
            // Only a campaign without a customer discount, and an ended one.
            _ = try await client.makeCampaign(name: "Commission only", discount: 0)
            let ended = try await client.makeCampaign(name: "Over")
            _ = try await client.endCampaign(EndCampaignRequest(campaignId: ended.campaignId))
            let answer = try await client.getMyDiscountCode(agentID: agent.agentId)
            #expect(answer.discountCodes.isEmpty)
            #expect(answer.message == "No active campaigns with customer discounts at this time.")
        }
    }

    @Test func campaignAdministration() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client()
            let spring = try await client.makeCampaign(name: "Spring", discount: 15, commission: 10)
            #expect(spring.campaignId > 0 && spring.isActive && spring.hasCustomerDiscount && spring.endsAt == nil)
            let updated = try #require(
                try await client.updateCampaign(
                    UpdateCampaignRequest(campaignId: spring.campaignId, name: "Spring+", discountPercent: 20)
                ).campaign)
            #expect(updated.name == "Spring+" && updated.discountPercent == 20 && updated.commissionPercent == 10)
            let summer = try await client.makeCampaign(name: "Summer")
            #expect(try await client.getActiveCampaigns().campaigns.map(\.campaignId) == [spring.campaignId, summer.campaignId])
            let ended = try #require(try await client.endCampaign(EndCampaignRequest(campaignId: summer.campaignId)).campaign)
            #expect(!ended.isActive && ended.endsAt != nil)
            #expect(try await client.getActiveCampaigns().campaigns.map(\.campaignId) == [spring.campaignId])
            #expect(try await client.listCampaigns().campaigns.map(\.campaignId) == [spring.campaignId])
            let all = try await client.listCampaigns(ListCampaignsRequest(includeEnded: true, pageSize: 1))
            #expect(all.campaigns.map(\.campaignId) == [spring.campaignId] && !all.nextPageToken.isEmpty)
            let next = try await client.listCampaigns(
                ListCampaignsRequest(includeEnded: true, pageSize: 1, pageToken: all.nextPageToken))
            #expect(next.campaigns.map(\.campaignId) == [summer.campaignId])
            await expectRPCError(.invalidArgument, field: "discount_percent") {
                try await client.createCampaign(CreateCampaignRequest(name: "Bad", discountPercent: 101))
            }
            await expectRPCError(.notFound, reason: "CAMPAIGN_NOT_FOUND", messageContains: ["Campaign 777 not found."]) {
                try await client.updateCampaign(UpdateCampaignRequest(campaignId: 777, name: "x"))
            }
        }
    }

    @Test func anotherProjectsCampaignIsNotFound() async throws {
        try await withDaemon(arguments: []) { daemon in
            let owner = try await daemon.client()
            let project = try #require(try await owner.createProject(name: "other").project)
            let token = try await owner.createToken(
                CreateTokenRequest(
                    projectId: project.id, scopes: ["commission", "write_campaigns", "read_campaigns"], name: "agent")
            ).token
            let campaign = try await owner.makeCampaign()
            let other = try await daemon.client(.init(token: token))
            let agent = try await other.registerAgent(name: "Stranger")
            let error = await expectRPCError(.notFound, reason: "CAMPAIGN_NOT_FOUND") {
                try await other.getMyDiscountCode(agentID: agent.agentId, campaignID: campaign.campaignId)
            }
            #expect(error?.message == "Campaign \(campaign.campaignId) not found.")
            await expectRPCError(.notFound, reason: "AGENT_NOT_REGISTERED") {
                try await owner.getMyDiscountCode(agentID: agent.agentId)
            }
        }
    }

    @Test func codeFormatAndOneCodePerAgentAndCampaign() async throws {
        try await withDaemon { daemon in
            let client = try await daemon.client()
            let agent = try await client.registerAgent(name: "a.c-m e Sales")
            let spring = try await client.makeCampaign(name: "Spring", discount: 15)
            let summer = try await client.makeCampaign(name: "Summer", discount: 25)
            let all = try await client.getMyDiscountCode(agentID: agent.agentId)
            #expect(all.message == nil)
            #expect(all.discountCodes.map(\.campaignId) == [spring.campaignId, summer.campaignId])
            for code in all.discountCodes {
                #expect(code.discountCode.wholeMatch(of: /CC-ACME-[A-Z0-9]{4}/) != nil, "\(code.discountCode)")
                // No credentials: the call still succeeds and says so.
                #expect(code.shopifySyncStatus == "skipped_no_credentials")
                #expect(code.shopifySyncError == "missing_shopify_credentials")
                #expect(code.shopifyDiscountId == nil)
                #expect(code.isActive && code.expiresAt == nil)
            }
            #expect(all.discountCodes.map(\.discountPercent) == [15, 25])
            #expect(all.discountCodes.map(\.campaignName) == ["Spring", "Summer"])
            let again = try await client.myCode(agent.agentId, spring)
            #expect(again.discountCode == all.discountCodes[0].discountCode)
        }
    }

    @Test func sixtyFourRacingCallersGetOneCode() async throws {
        try await withShopify { daemon, client, fake in
            try await client.connectShop()
            let agent = try await client.registerAgent(name: "Racer")
            let campaign = try await client.makeCampaign()
            var clients = [client]
            for _ in 0..<3 { clients.append(try await daemon.client()) }
            let codes = try await withThrowingTaskGroup(of: AgentDiscountCode.self) { group in
                for index in 0..<64 {
                    let caller = clients[index % clients.count]
                    group.addTask { try await caller.myCode(agent.agentId, campaign) }
                }
                var codes: [AgentDiscountCode] = []
                for try await code in group { codes.append(code) }
                return codes
            }
            #expect(codes.count == 64)
            #expect(Set(codes.map(\.discountCode)).count == 1, "\(Set(codes.map(\.discountCode)))")
            #expect(fake.creates.count == 1, "one code is sent to Shopify once")
            #expect(fake.discountCount == 1)
            for other in clients.dropFirst() { await other.close() }
        }
    }

    /// Once the daemon knows a project has no Shopify credentials, a first
    /// code is made by one job handed from the event loop to the writer (the
    /// agent looked up in that job): the same answers and errors as the full path.
    @Test func firstCodesWithoutCredentialsAnswerAsTheFullPathDoes() async throws {
        try await withDaemon(arguments: []) { daemon in
            let client = try await daemon.client()
            let campaign = try await client.makeCampaign(name: "Spring", discount: 15)
            let first = try await client.registerAgent(name: "First")
            // The full path: learns that the project has no credentials.
            let firstCode = try await client.myCode(first.agentId, campaign)
            #expect(firstCode.shopifySyncStatus == "skipped_no_credentials")

            // 64 racing callers for a new agent: one code, stored once.
            let racer = try await client.registerAgent(name: "Racer")
            var clients = [client]
            for _ in 0..<3 { clients.append(try await daemon.client()) }
            let codes = try await withThrowingTaskGroup(of: AgentDiscountCode.self) { group in
                for index in 0..<64 {
                    let caller = clients[index % clients.count]
                    group.addTask { try await caller.myCode(racer.agentId, campaign) }
                }
                var codes: [AgentDiscountCode] = []
                for try await code in group { codes.append(code) }
                return codes
            }
            #expect(Set(codes.map(\.discountCode)).count == 1, "\(Set(codes.map(\.discountCode)))")
            let code = try #require(codes.first)
            #expect(code.discountCode.wholeMatch(of: /CC-RACE-[A-Z0-9]{4}/) != nil, "\(code.discountCode)")
            #expect(code.shopifySyncStatus == "skipped_no_credentials")
            #expect(code.shopifySyncError == "missing_shopify_credentials")
            #expect(code.campaignId == campaign.campaignId && code.campaignName == "Spring" && code.discountPercent == 15)
            #expect(try await client.myCode(racer.agentId, campaign).discountCode == code.discountCode)

            // The seed's error for an unknown agent, word for word.
            let error = await expectRPCError(.notFound, reason: "AGENT_NOT_REGISTERED", field: "agent_id") {
                try await client.getMyDiscountCode(agentID: 4242, campaignID: campaign.campaignId)
            }
            #expect(error?.message == "Agent not registered. Call register_agent first.")
            #expect(error?.detail?.hint == "Use register_agent to get an agent_id.")

            // Another project's agent is not this project's.
            let project = try #require(try await client.createProject(name: "other").project)
            let token = try await client.createToken(
                CreateTokenRequest(
                    projectId: project.id, scopes: ["commission", "write_campaigns", "read_campaigns"], name: "agent")
            ).token
            let stranger = try await daemon.client(.init(token: token)).registerAgent(name: "Stranger")
            await expectRPCError(.notFound, reason: "AGENT_NOT_REGISTERED") {
                try await client.getMyDiscountCode(agentID: stranger.agentId, campaignID: campaign.campaignId)
            }
            for other in clients.dropFirst() { await other.close() }
        }
    }
}
