import ArgumentParser
import DiscountClient

struct CreatePriceRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-price-rule",
        abstract: "Create a price rule: what a discount is worth, when, and how often.",
        discussion: """
            Prints {"price_rule": {...}}; its id is the --price-rule-id of the codes you create under it.

            Example:
              discountctl create-price-rule --title "Summer sale" --value-type percentage --value 15 \\
                --starts-at 2025-06-01T00:00:00Z --ends-at 2025-09-01T00:00:00Z --usage-limit 500 --once-per-customer
              discountctl create-price-rule --title "5 off" --value-type fixed_amount --value 500 --currency EUR
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "Name for people, e.g. \"Summer sale\".")
    var title: String

    @Option(help: "percentage or fixed_amount.")
    var valueType: ValueType

    @Option(help: "Percent off (0 < value <= 100), or an amount off in minor units of --currency.")
    var value: Double

    @Option(help: "ISO 4217 currency; required for fixed_amount.")
    var currency: String?

    @Option(help: "When the rule starts applying, RFC 3339 (default: now).")
    var startsAt: RFC3339Timestamp?

    @Option(help: "When it stops applying, RFC 3339 (default: never).")
    var endsAt: RFC3339Timestamp?

    @Option(help: "Total uses over all the rule's codes (default: unlimited).")
    var usageLimit: Int64?

    @Flag(help: "A customer may use the rule once.")
    var oncePerCustomer = false

    func validate() throws {
        try Check.notBlank(title, "--title")
        guard value.isFinite, value > 0 else { throw ValidationError("--value must be a number above 0") }
        if valueType == .fixedAmount && currency == nil {
            throw ValidationError("--currency is required with --value-type fixed_amount")
        }
        try Check.notBlank(currency, "--currency")
        try Check.positive(usageLimit, "--usage-limit")
        if let startsAt, let endsAt, endsAt.timestamp.date <= startsAt.timestamp.date {
            throw ValidationError("--ends-at must be after --starts-at")
        }
    }

    func run() async throws {
        let request = CreatePriceRuleRequest(
            title: title, valueType: valueType, value: value, currency: currency ?? "",
            startsAt: startsAt?.timestamp, endsAt: endsAt?.timestamp, usageLimit: usageLimit,
            oncePerCustomer: oncePerCustomer)
        try await client.printAnswer {
            try await $0.createPriceRule(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct GetPriceRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-price-rule",
        abstract: "Show one price rule.",
        discussion: """
            Prints {"price_rule": {...}}; exits 66 when there is no such rule in the token's project.

            Example: discountctl get-price-rule --price-rule-id "$RULE_ID"
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "The price rule's id.")
    var priceRuleId: String

    func validate() throws { try Check.notBlank(priceRuleId, "--price-rule-id") }

    func run() async throws {
        try await client.printAnswer { try await $0.getPriceRule(id: priceRuleId) }
    }
}

struct ListPriceRulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-price-rules",
        abstract: "List the project's price rules, in creation order, a page at a time.",
        discussion: """
            Prints {"price_rules": [...], "next_page_token": "..."}; pass next_page_token back as \
            --page-token for the next page (empty on the last page), or use --all.

            Example: discountctl list-price-rules --page-size 50
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "Rules per page, 1..1000 (default 100).")
    var pageSize: Int32?

    @Option(help: "next_page_token of the previous page.")
    var pageToken: String?

    @Flag(help: "Follow next_page_token and print every rule.")
    var all = false

    func validate() throws {
        try Check.pageSize(pageSize)
        try Check.exclusive(all, "--all", pageToken != nil, "--page-token")
    }

    func run() async throws {
        try await client.printAnswer { client in
            let joined = try await listPages(all: all, from: pageToken ?? "") { token in
                let page = try await client.listPriceRules(.init(pageSize: pageSize ?? 0, pageToken: token))
                return ListPage(items: page.priceRules, nextPageToken: page.nextPageToken)
            }
            return ListPriceRulesResponse(priceRules: joined.items, nextPageToken: joined.nextPageToken)
        }
    }
}

struct UpdatePriceRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update-price-rule",
        abstract: "Change some fields of a price rule; the rest stay.",
        discussion: """
            Prints {"price_rule": {...}} as it is after the change.

            Example:
              discountctl update-price-rule --price-rule-id "$RULE_ID" \\
                --value 20 --clear-ends-at --no-once-per-customer
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The price rule's id.")
    var priceRuleId: String

    @Option(help: "New title.")
    var title: String?

    @Option(help: "percentage or fixed_amount.")
    var valueType: ValueType?

    @Option(help: "New value.")
    var value: Double?

    @Option(help: "New ISO 4217 currency.")
    var currency: String?

    @Option(help: "New start, RFC 3339.")
    var startsAt: RFC3339Timestamp?

    @Option(help: "New end, RFC 3339.")
    var endsAt: RFC3339Timestamp?

    @Flag(help: "Make the rule open-ended again.")
    var clearEndsAt = false

    @Option(help: "New total usage limit.")
    var usageLimit: Int64?

    @Flag(help: "Remove the usage limit.")
    var clearUsageLimit = false

    @Flag(inversion: .prefixedNo, help: "Whether a customer may use the rule only once.")
    var oncePerCustomer: Bool?

    func validate() throws {
        try Check.notBlank(priceRuleId, "--price-rule-id")
        try Check.notBlank(title, "--title")
        try Check.notBlank(currency, "--currency")
        if let value, !(value.isFinite && value > 0) { throw ValidationError("--value must be a number above 0") }
        try Check.positive(usageLimit, "--usage-limit")
        try Check.exclusive(endsAt != nil, "--ends-at", clearEndsAt, "--clear-ends-at")
        try Check.exclusive(usageLimit != nil, "--usage-limit", clearUsageLimit, "--clear-usage-limit")
        let changes: [Bool] = [
            title != nil, valueType != nil, value != nil, currency != nil, startsAt != nil, endsAt != nil, clearEndsAt,
            usageLimit != nil, clearUsageLimit, oncePerCustomer != nil,
        ]
        guard changes.contains(true) else { throw ValidationError("nothing to change: give at least one field option") }
    }

    func run() async throws {
        let request = UpdatePriceRuleRequest(
            priceRuleId: priceRuleId, title: title, valueType: valueType, value: value, currency: currency,
            startsAt: startsAt?.timestamp, endsAt: endsAt?.timestamp, clearEndsAt: clearEndsAt,
            usageLimit: usageLimit, clearUsageLimit: clearUsageLimit, oncePerCustomer: oncePerCustomer)
        try await client.printAnswer {
            try await $0.updatePriceRule(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct DeletePriceRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-price-rule",
        abstract: "Delete a price rule and all its discount codes.",
        discussion: """
            Prints {"price_rule_id": "...", "deleted_discount_codes": N}.

            Example: discountctl delete-price-rule --price-rule-id "$RULE_ID"
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The price rule's id.")
    var priceRuleId: String

    func validate() throws { try Check.notBlank(priceRuleId, "--price-rule-id") }

    func run() async throws {
        try await client.printAnswer {
            try await $0.deletePriceRule(id: priceRuleId, idempotencyKey: write.idempotencyKey)
        }
    }
}
