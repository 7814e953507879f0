import DiscountClient

extension BridgeTools {
    private static let agentID = ToolParameter.required(
        "agent_id", .stringOrInteger, "Your registered agent_id from register_agent, e.g. \"5\" (5 is taken too).")

    /// The agent commission seed's tools, and the campaign side.
    static let commission: [BridgeTool] = [
        BridgeTool(
            write: "register_agent",
            "Register an agent (a seller) by name; the same name again returns the same agent. Returns agent_id for get_my_discount_code.",
            [
                .required("agent_name", .string, "The agent's name, 1 to 255 characters; unique per project."),
                .optional("contact", .string, "Free-form contact, e.g. an e-mail address."),
            ]
        ) { a, client in
            try await client.registerAgent(
                RegisterAgentRequest(agentName: a.string("agent_name"), contact: a.optionalString("contact")),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            read: "get_active_campaigns",
            "List the campaigns running now: campaign_id, name, discount_percent, commission_percent, starts_at, ends_at."
        ) { _, client in try await client.getActiveCampaigns() },
        BridgeTool(
            idempotent: "get_my_discount_code",
            "Get or create the agent's unique discount code (CC-{AGENT}-{RANDOM}) for a campaign, or for every active campaign with a customer discount, and sync it to Shopify. Idempotent: the same agent and campaign always get the same code. Shopify problems never fail the call: each code says shopify_sync_status (synced, failed, skipped_no_credentials) and shopify_sync_error; unsynced codes are retried on the next call.",
            [
                agentID,
                .optional(
                    "campaign_id", .integer,
                    "Campaign ID (an integer) from get_active_campaigns. Omit or pass null for every active campaign with a customer discount.",
                    nullable: true),
            ],
            openWorld: true
        ) { a, client in
            try await client.getMyDiscountCode(
                agentID: try a.registeredAgentID("agent_id"), campaignID: a.optionalInt64("campaign_id")
            ).documented
        },
        BridgeTool(
            read: "get_my_commissions",
            "An agent's orders, sales and commission per campaign and in total (amounts in minor units).",
            [
                agentID,
                .optional("since", .timestamp, "Orders at or after this instant."),
                .optional("until", .timestamp, "Orders before this instant."),
            ]
        ) { a, client in
            try await client.getMyCommissions(
                GetMyCommissionsRequest(
                    agentId: try a.registeredAgentID("agent_id"), since: a.timestamp("since"), until: a.timestamp("until")))
        },
        BridgeTool(
            write: "record_order",
            "Record an order (or its new status) and attribute it to the agent whose code it used; idempotent on order_id, a refund reverses the commission.",
            [
                .required("order_id", .string, "The shop's order id."),
                .required("codes", .strings, "Discount codes the order used."),
                .required("subtotal", .integer, "Order subtotal in minor units of currency."),
                .required("currency", .string, "ISO 4217, e.g. USD."),
                .required("status", .oneOf(["pending", "paid", "cancelled", "refunded"]), "The order's status."),
                .optional("occurred_at", .timestamp, "When the order happened (default: now)."),
            ]
        ) { a, client in
            let status: OrderStatus =
                switch a.string("status") {
                case "paid": .paid
                case "cancelled": .cancelled
                case "refunded": .refunded
                default: .pending
                }
            return try await client.recordOrder(
                RecordOrderRequest(
                    orderId: a.string("order_id"), codes: a.strings("codes"), subtotal: a.int64("subtotal"),
                    currency: a.string("currency"), occurredAt: a.timestamp("occurred_at"), status: status),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            write: "create_campaign",
            "Create a commission campaign: the customer discount and the agent commission, in percent.",
            [
                .required("name", .string, "Name for people."),
                .required("discount_percent", .number, "Customer discount, 0 to 100."),
                .required("commission_percent", .number, "Agent commission on the order subtotal, 0 to 100."),
                .optional("starts_at", .timestamp, "Start (default: now)."),
                .optional("ends_at", .timestamp, "End (default: open-ended)."),
            ]
        ) { a, client in
            try await client.createCampaign(
                CreateCampaignRequest(
                    name: a.string("name"), discountPercent: a.double("discount_percent"),
                    commissionPercent: a.double("commission_percent"), startsAt: a.timestamp("starts_at"),
                    endsAt: a.timestamp("ends_at")),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            write: "update_campaign", "Change the given fields of a campaign; the rest stay.",
            [
                .required("campaign_id", .integer, "The campaign."),
                .optional("name", .string, "New name."),
                .optional("discount_percent", .number, "New customer discount, 0 to 100."),
                .optional("commission_percent", .number, "New agent commission, 0 to 100."),
                .optional("starts_at", .timestamp, "New start."),
                .optional("ends_at", .timestamp, "New end."),
                .optional("clear_ends_at", .boolean, "Make the campaign open-ended again."),
            ]
        ) { a, client in
            try await client.updateCampaign(
                UpdateCampaignRequest(
                    campaignId: a.int64("campaign_id"), name: a.optionalString("name"),
                    discountPercent: a.optionalDouble("discount_percent"),
                    commissionPercent: a.optionalDouble("commission_percent"), startsAt: a.timestamp("starts_at"),
                    endsAt: a.timestamp("ends_at"), clearEndsAt: a.bool("clear_ends_at")),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            write: "end_campaign", "End a campaign now, or at ends_at.",
            [
                .required("campaign_id", .integer, "The campaign."),
                .optional("ends_at", .timestamp, "When it ends (default: now)."),
            ]
        ) { a, client in
            try await client.endCampaign(
                EndCampaignRequest(campaignId: a.int64("campaign_id"), endsAt: a.timestamp("ends_at")),
                idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            read: "list_campaigns", "List the project's campaigns in creation order, a page at a time.",
            [
                .optional("include_ended", .boolean, "Also list campaigns that have ended."),
                .optional("page_size", .integer, "1 to 1000 (default 100)."),
                .optional("page_token", .string, "next_page_token of the previous page."),
            ]
        ) { a, client in
            try await client.listCampaigns(
                ListCampaignsRequest(
                    includeEnded: a.bool("include_ended"), pageSize: a.optionalInt32("page_size") ?? 0,
                    pageToken: a.string("page_token")))
        },
    ]
}

extension ToolArguments {
    /// An agent_id as the daemon takes it. Ids are positive integers, so any
    /// other text cannot be a registered agent's: answered as the daemon
    /// answers an unknown id (its words, checked alike by scripts/mcp-test).
    func registeredAgentID(_ name: String) throws(ToolRefusal) -> Int64 {
        let text = idText(name) ?? ""
        guard text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }), let id = Int64(text), id > 0 else {
            throw ToolRefusal(
                message: "Agent not registered. Call register_agent first.", status: "NOT_FOUND",
                reason: "AGENT_NOT_REGISTERED", hint: "Use register_agent to get an agent_id.", field: name)
        }
        return id
    }
}
