import ArgumentParser
import DiscountClient

struct ValidateDiscountCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate-discount-code",
        abstract: "Tell whether a code would apply now, and if not why.",
        discussion: """
            Prints {"valid": bool, "reason": "...", "message": "...", "discount_code": {...}, \
            "price_rule": {...}}; reason is empty when valid, else e.g. CODE_EXPIRED or \
            USAGE_LIMIT_REACHED. Exits 0 either way: the answer is in the JSON.

            Example: discountctl validate-discount-code --code SUMMER15 --customer-id cust-42
            """)

    @OptionGroup var client: ClientOptions

    @Option(help: "The code text, in any case.")
    var code: String

    @Option(help: "Checked against once_per_customer.")
    var customerId: String?

    func validate() throws {
        try Check.notBlank(code, "--code")
        try Check.notBlank(customerId, "--customer-id")
    }

    func run() async throws {
        try await client.printAnswer {
            try await $0.validateDiscountCode(code: code, customerID: customerId)
        }
    }
}

struct RedeemDiscountCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeem-discount-code",
        abstract: "Count one use of a code for an order.",
        discussion: """
            Prints {"discount_code": {...}, "usage_count": N, "redeemed": bool}. The same order \
            again answers redeemed false with the same usage count. Refused (exit 70, reason \
            USAGE_LIMIT_REACHED, CODE_EXPIRED, CODE_NOT_ACTIVE or ALREADY_USED_BY_CUSTOMER) when \
            the code may not be used.

            Example: discountctl redeem-discount-code --code SUMMER15 --order-id order-1001 --customer-id cust-42
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The code text, in any case.")
    var code: String

    @Option(help: "The order using the code; an order redeems a code once.")
    var orderId: String

    @Option(help: "The customer, checked against once_per_customer.")
    var customerId: String?

    func validate() throws {
        try Check.notBlank(code, "--code")
        try Check.notBlank(orderId, "--order-id")
        try Check.notBlank(customerId, "--customer-id")
    }

    func run() async throws {
        try await client.printAnswer {
            try await $0.redeemDiscountCode(
                code: code, orderID: orderId, customerID: customerId, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct RollbackRedemptionCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback-redemption",
        abstract: "Give back the uses of an order (cancelled, payment failed).",
        discussion: """
            Prints {"order_id": "...", "released": N}; N is 0 when the order had none or was \
            rolled back already.

            Example: discountctl rollback-redemption --order-id order-1001
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option(help: "The order whose redemptions to give back.")
    var orderId: String

    func validate() throws { try Check.notBlank(orderId, "--order-id") }

    func run() async throws {
        try await client.printAnswer {
            try await $0.rollbackRedemption(orderID: orderId, idempotencyKey: write.idempotencyKey)
        }
    }
}
