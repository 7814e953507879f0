import ArgumentParser
import DiscountClient

struct CreateDiscountCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-discount-code",
        abstract: "Create one discount code under a price rule.",
        discussion: """
            Prints {"discount_codes": [{...}]} (the seed's shape: one element). A text already used \
            in the project, in any case, fails with ALREADY_EXISTS, reason CODE_TAKEN (exit 70).

            Example:
              discountctl create-discount-code --price-rule-id "$RULE_ID" \\
                --code SUMMER15 --use-with-other --usage-limit 100
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The price rule the code applies.")
    var priceRuleId: String

    @Option(help: "The code text customers type: 1..255 printable characters, unique in the project.")
    var code: String

    @Flag(help: "The code may be combined with other discounts.")
    var useWithOther = false

    @Option(help: "Uses of this code (default: unlimited; the rule's limit still holds).")
    var usageLimit: Int64?

    func validate() throws {
        try Check.notBlank(priceRuleId, "--price-rule-id")
        try Check.notBlank(code, "--code")
        try Check.positive(usageLimit, "--usage-limit")
    }

    func run() async throws {
        try await client.printAnswer {
            try await $0.createDiscountCode(
                priceRuleID: priceRuleId, code: code, useWithOther: useWithOther, usageLimit: usageLimit,
                idempotencyKey: write.idempotencyKey)
        }
    }
}

struct GetDiscountCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get-discount-code",
        abstract: "Show one discount code of a price rule.",
        discussion: """
            Prints {"discount_code": {"id", "price_rule_id", "code", "created_at", "updated_at", \
            "use_with_other", "usage_count", "usage_limit"}}; exits 66 when there is no such code.

            Example:
              discountctl get-discount-code --price-rule-id "$RULE_ID" \\
                --discount-code-id "$CODE_ID"
            """)

    @OptionGroup var client: ClientOptions

    @OptionGroup var address: DiscountCodeAddress

    func run() async throws {
        try await client.printAnswer {
            try await $0.getDiscountCode(priceRuleID: address.priceRuleId, discountCodeID: address.discountCodeId)
        }
    }
}

struct ListDiscountCodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list-discount-codes",
        abstract: "List a price rule's discount codes, in creation order, a page at a time.",
        discussion: """
            Prints {"discount_codes": [...], "next_page_token": "..."}; pass next_page_token back as \
            --page-token for the next page (empty on the last page), or use --all.

            Example:
              discountctl list-discount-codes --price-rule-id "$RULE_ID" --page-size 1000
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "The price rule's id.")
    var priceRuleId: String

    @Option(help: "Codes per page, 1..1000 (default 100).")
    var pageSize: Int32?

    @Option(help: "next_page_token of the previous page.")
    var pageToken: String?

    @Flag(help: "Follow next_page_token and print every code.")
    var all = false

    func validate() throws {
        try Check.notBlank(priceRuleId, "--price-rule-id")
        try Check.pageSize(pageSize)
        try Check.exclusive(all, "--all", pageToken != nil, "--page-token")
    }

    func run() async throws {
        try await client.printAnswer { client in
            let joined = try await listPages(all: all, from: pageToken ?? "") { token in
                let page = try await client.listDiscountCodes(
                    .init(priceRuleId: priceRuleId, pageSize: pageSize ?? 0, pageToken: token))
                return ListPage(items: page.discountCodes, nextPageToken: page.nextPageToken)
            }
            return ListDiscountCodesResponse(discountCodes: joined.items, nextPageToken: joined.nextPageToken)
        }
    }
}

struct LookupDiscountCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lookup-discount-code",
        abstract: "Find a discount code by its text, case-insensitively.",
        discussion: """
            Prints {"discount_code": {...}, "price_rule": {...}}; exits 66 when no code has this text.

            Example: discountctl lookup-discount-code --code summer15
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "The code text, in any case.")
    var code: String

    func validate() throws { try Check.notBlank(code, "--code") }

    func run() async throws {
        try await client.printAnswer { try await $0.lookupDiscountCode(code: code) }
    }
}

struct UpdateDiscountCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update-discount-code",
        abstract: "Change some fields of a discount code; the rest stay.",
        discussion: """
            Prints {"discount_code": {...}} as it is after the change.

            Example:
              discountctl update-discount-code --price-rule-id "$RULE_ID" \\
                --discount-code-id "$CODE_ID" --code SUMMER20 --no-use-with-other
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @OptionGroup var address: DiscountCodeAddress

    @Option(help: "New code text.")
    var code: String?

    @Flag(inversion: .prefixedNo, help: "Whether the code may be combined with other discounts.")
    var useWithOther: Bool?

    @Option(help: "New usage limit of this code.")
    var usageLimit: Int64?

    @Flag(help: "Remove this code's usage limit.")
    var clearUsageLimit = false

    func validate() throws {
        try Check.notBlank(code, "--code")
        try Check.positive(usageLimit, "--usage-limit")
        try Check.exclusive(usageLimit != nil, "--usage-limit", clearUsageLimit, "--clear-usage-limit")
        guard code != nil || useWithOther != nil || usageLimit != nil || clearUsageLimit else {
            throw ValidationError("nothing to change: give --code, --[no-]use-with-other, --usage-limit or --clear-usage-limit")
        }
    }

    func run() async throws {
        let request = UpdateDiscountCodeRequest(
            priceRuleId: address.priceRuleId, discountCodeId: address.discountCodeId, code: code, useWithOther: useWithOther,
            usageLimit: usageLimit, clearUsageLimit: clearUsageLimit)
        try await client.printAnswer {
            try await $0.updateDiscountCode(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct DeleteDiscountCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-discount-code",
        abstract: "Delete one discount code and its redemptions.",
        discussion: """
            Prints {"discount_code_id": "..."}.

            Example:
              discountctl delete-discount-code --price-rule-id "$RULE_ID" \\
                --discount-code-id "$CODE_ID"
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @OptionGroup var address: DiscountCodeAddress

    func run() async throws {
        let request = DeleteDiscountCodeRequest(priceRuleId: address.priceRuleId, discountCodeId: address.discountCodeId)
        try await client.printAnswer {
            try await $0.deleteDiscountCode(request, idempotencyKey: write.idempotencyKey)
        }
    }
}

/// --price-rule-id and --discount-code-id: the code a command is about.
struct DiscountCodeAddress: ParsableArguments {
    @Option(help: "The price rule's id.")
    var priceRuleId: String

    @Option(help: "The discount code's id.")
    var discountCodeId: String

    func validate() throws {
        try Check.notBlank(priceRuleId, "--price-rule-id")
        try Check.notBlank(discountCodeId, "--discount-code-id")
    }
}
