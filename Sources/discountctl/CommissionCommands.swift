import ArgumentParser
import DiscountClient

struct RegisterAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "register-agent",
        abstract: "Register an agent; the same name again returns the same agent.",
        discussion: """
            Prints {"agent_id": …, "agent_name": …, "registered_at": …, "created": true|false}.

            Example: discountctl register-agent --agent-name "Acme Sales" --contact acme@example.com
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "1 to 255 characters; unique per project.")
    var agentName: String

    @Option(help: "Free-form contact (e-mail, handle).")
    var contact: String?

    func validate() throws { try Check.notBlank(agentName, "--agent-name") }

    func run() async throws {
        let request = RegisterAgentRequest(agentName: agentName, contact: contact)
        try await client.printAnswer {
            try await $0.registerAgent(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct GetActiveCampaignsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-active-campaigns",
        abstract: "List the campaigns running now.",
        discussion: "Prints {\"campaigns\": [...]}.\n\nExample: discountctl get-active-campaigns")

    @OptionGroup var client: ClientOptions

    func run() async throws {
        try await client.printAnswer { try await $0.getActiveCampaigns() }
    }
}

struct GetMyDiscountCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-my-discount-code",
        abstract: "Get (or create) an agent's discount code for a campaign, or for every active one.",
        discussion: """
            Prints {"discount_codes": [{"discount_code": "CC-ACME-7KQX", "discount_percent": 15, "campaign_name": …,
            "campaign_id": …, "expires_at": …, "is_active": true, "shopify_sync_status": "synced",
            "shopify_discount_id": "gid://shopify/DiscountCodeNode/…"}]}, or an empty list and "message" when no
            campaign with a customer discount is running. Shopify trouble never fails the command: see
            shopify_sync_status and shopify_sync_error. Exits 66 for an unknown agent or campaign.

            Example: discountctl get-my-discount-code --agent-id 1 --campaign-id 42
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "From register-agent.")
    var agentId: Int64

    @Option(help: "One campaign (default: every active campaign with a customer discount).")
    var campaignId: Int64?

    func run() async throws {
        try await client.printAnswer {
            try await $0.getMyDiscountCode(agentID: agentId, campaignID: campaignId)
        }
    }
}

struct GetMyCommissionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-my-commissions",
        abstract: "Show an agent's orders, sales and commission per campaign.",
        discussion: """
            Amounts are minor units of each currency.

            Example: discountctl get-my-commissions --agent-id 1 --since 2026-01-01T00:00:00Z
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "From register-agent.")
    var agentId: Int64

    @Option(help: "Orders at or after this instant, RFC 3339.")
    var since: RFC3339Timestamp?

    @Option(help: "Orders before this instant, RFC 3339.")
    var until: RFC3339Timestamp?

    func run() async throws {
        let request = GetMyCommissionsRequest(agentId: agentId, since: since?.timestamp, until: until?.timestamp)
        try await client.printAnswer { try await $0.getMyCommissions(request) }
    }
}
