import ArgumentParser
import DiscountClient

struct CreateCampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-campaign",
        abstract: "Create a commission campaign.",
        discussion: """
            Prints {"campaign": {...}}.

            Example: discountctl create-campaign --name Spring --discount-percent 15 --commission-percent 10
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "Name for people.")
    var name: String

    @Option(help: "Customer discount in percent, 0 to 100.")
    var discountPercent: Double

    @Option(help: "Agent commission on the order subtotal in percent, 0 to 100.")
    var commissionPercent: Double

    @Option(help: "Start, RFC 3339 (default: now).")
    var startsAt: RFC3339Timestamp?

    @Option(help: "End, RFC 3339 (default: open-ended).")
    var endsAt: RFC3339Timestamp?

    func validate() throws { try Check.notBlank(name, "--name") }

    func run() async throws {
        let request = CreateCampaignRequest(
            name: name, discountPercent: discountPercent, commissionPercent: commissionPercent,
            startsAt: startsAt?.timestamp, endsAt: endsAt?.timestamp)
        try await client.printAnswer {
            try await $0.createCampaign(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct UpdateCampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update-campaign",
        abstract: "Change the given fields of a campaign.",
        discussion: "Example: discountctl update-campaign --campaign-id 42 --discount-percent 20")

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option var campaignId: Int64
    @Option var name: String?
    @Option var discountPercent: Double?
    @Option var commissionPercent: Double?
    @Option(help: "RFC 3339.") var startsAt: RFC3339Timestamp?
    @Option(help: "RFC 3339.") var endsAt: RFC3339Timestamp?
    @Flag(help: "Make the campaign open-ended again.") var clearEndsAt = false

    func validate() throws {
        try Check.notBlank(name, "--name")
        try Check.exclusive(endsAt != nil, "--ends-at", clearEndsAt, "--clear-ends-at")
    }

    func run() async throws {
        let request = UpdateCampaignRequest(
            campaignId: campaignId, name: name, discountPercent: discountPercent, commissionPercent: commissionPercent,
            startsAt: startsAt?.timestamp, endsAt: endsAt?.timestamp, clearEndsAt: clearEndsAt)
        try await client.printAnswer {
            try await $0.updateCampaign(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct EndCampaignCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "end-campaign",
        abstract: "End a campaign now, or at --ends-at.",
        discussion: "Example: discountctl end-campaign --campaign-id 42")

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option var campaignId: Int64
    @Option(help: "RFC 3339 (default: now).") var endsAt: RFC3339Timestamp?

    func run() async throws {
        let request = EndCampaignRequest(campaignId: campaignId, endsAt: endsAt?.timestamp)
        try await client.printAnswer {
            try await $0.endCampaign(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct ListCampaignsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-campaigns",
        abstract: "List the project's campaigns in creation order.",
        discussion: "Example: discountctl list-campaigns --include-ended --page-size 50")

    @OptionGroup var client: ClientOptions

    @Flag(help: "Also list campaigns that have ended.") var includeEnded = false
    @Option(help: "1 to 1000 (default 100).") var pageSize: Int32?
    @Option(help: "next_page_token of the previous page.") var pageToken: String?

    func validate() throws { try Check.pageSize(pageSize) }

    func run() async throws {
        let request = ListCampaignsRequest(includeEnded: includeEnded, pageSize: pageSize ?? 0, pageToken: pageToken ?? "")
        try await client.printAnswer { try await $0.listCampaigns(request) }
    }
}
