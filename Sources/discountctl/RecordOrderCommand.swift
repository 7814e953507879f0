import ArgumentParser
import DiscountClient

struct RecordOrderCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record-order",
        abstract: "Record an order (or its new status) and attribute it to the agent whose code it used.",
        discussion: """
            Idempotent on --order-id; a later --status updates the commission, refunded reverses it.

            Example: discountctl record-order --order-id 1001 --code CC-ACME-7KQX --subtotal 8500 --currency USD --status paid
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var write: WriteOptions

    @Option var orderId: String
    @Option(name: .customLong("code"), help: "A discount code the order used; repeat for several.") var codes: [String] = []
    @Option(help: "Order subtotal in minor units.") var subtotal: Int64
    @Option(help: "ISO 4217.") var currency: String
    @Option(help: "RFC 3339 (default: now).") var occurredAt: RFC3339Timestamp?
    @Option(help: "pending, paid, cancelled or refunded.") var status: OrderStatus

    func validate() throws { try Check.notBlank(orderId, "--order-id") }

    func run() async throws {
        let request = RecordOrderRequest(
            orderId: orderId, codes: codes, subtotal: subtotal, currency: currency, occurredAt: occurredAt?.timestamp,
            status: status)
        try await client.printAnswer {
            try await $0.recordOrder(request, idempotencyKey: write.idempotencyKey)
        }
    }
}
