import ArgumentParser
import DiscountClient

#if canImport(Glibc)
import Glibc
#endif

struct CreateVoucherPoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-voucher-pool",
        abstract: "Create an empty voucher pool (names are unique in a project).",
        discussion: """
            Prints {"pool": {"id", "name", "total", "available"}}.

            Example: discountctl create-voucher-pool --name "Spring newsletter"
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption
    @OptionGroup var write: WriteOptions

    @Option(help: "The pool's name.")
    var name: String

    func validate() throws { try Check.notBlank(name, "--name") }

    func run() async throws {
        try await client.printAnswer {
            try await $0.createVoucherPool(projectID: project.projectId, name: name, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct DeleteVoucherPoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete-voucher-pool",
        abstract: "Delete a voucher pool and all its codes.",
        discussion: """
            Prints {"pool_id", "deleted_codes"}.

            Example: discountctl delete-voucher-pool --pool-id "$POOL_ID"
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption
    @OptionGroup var write: WriteOptions

    @Option(help: "The pool's id.")
    var poolId: String

    func validate() throws { try Check.notBlank(poolId, "--pool-id") }

    func run() async throws {
        try await client.printAnswer {
            try await $0.deleteVoucherPool(
                projectID: project.projectId, poolID: poolId, idempotencyKey: write.idempotencyKey)
        }
    }
}

struct AddVoucherCodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-voucher-codes",
        abstract: "Import codes into a pool, or generate them.",
        discussion: CodeSourceOptions.discussion(
            printing: """
                {"added": N, "duplicates": N}: duplicates are codes the project already had (in any pool) \
                or that the import repeats.

                Examples:
                  discountctl add-voucher-codes --pool-id "$POOL_ID" --count 100000 --prefix SPRING- --length 8
                  discountctl add-voucher-codes --pool-id "$POOL_ID" --codes-file codes.txt
                """))

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption
    @OptionGroup var write: WriteOptions

    @Option(help: "The pool's id.")
    var poolId: String

    @OptionGroup var source: CodeSourceOptions

    @Option(help: "Seconds to wait for the whole import (default: 600).")
    var importTimeout: Double = 600

    func validate() throws {
        try Check.notBlank(poolId, "--pool-id")
        guard importTimeout > 0 else { throw ValidationError("--import-timeout must be positive") }
    }

    func run() async throws {
        try await runReporting {
            var request = AddVoucherCodesRequest(projectId: project.projectId, poolId: poolId)
            if let generator = source.generator {
                request.generator = generator
            } else {
                request.codes = try source.listedCodes()
            }
            let progress = source.progressDisplay()
            defer { progress.finish() }  // before the result or an error
            let result = try await client.withClient { client in
                try await client.addVoucherCodes(
                    request, idempotencyKey: write.idempotencyKey, timeout: .nanoseconds(Int64(importTimeout * 1e9))
                ) { progress.update($0) }
            }
            progress.finish()
            try client.print(result)
        }
    }
}

struct AssignVoucherCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "assign-voucher-code",
        abstract: "Hand one available code of a pool to a customer.",
        discussion: """
            The same customer and --used-by get the same code again (already_assigned true). \
            Exits 65 with reason POOL_EXHAUSTED when no code is left. \
            Prints {"code", "status", "assigned_time", "customer_id", "used_by", "already_assigned"}.

            Example: discountctl assign-voucher-code --pool-id "$POOL_ID" --customer-id cus_123 --used-by spring-mail
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption
    @OptionGroup var write: WriteOptions

    @Option(help: "The pool's id.")
    var poolId: String

    @Option(help: "Who gets the code.")
    var customerId: String

    @Option(help: "The campaign or purpose the code is for.")
    var usedBy: String?

    func validate() throws {
        try Check.notBlank(poolId, "--pool-id")
        try Check.notBlank(customerId, "--customer-id")
        try Check.notBlank(usedBy, "--used-by")
    }

    func run() async throws {
        try await client.printAnswer {
            try await $0.assignVoucherCode(
                projectID: project.projectId, poolID: poolId, customerID: customerId, usedBy: usedBy,
                idempotencyKey: write.idempotencyKey)
        }
    }
}

struct RedeemVoucherCodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeem-voucher-code",
        abstract: "Mark an assigned voucher code redeemed.",
        discussion: """
            Exits 65 (FAILED_PRECONDITION) when it was already redeemed or never assigned, 66 when unknown. \
            Prints {"code", "status", "redeemed_time"}.

            Example: discountctl redeem-voucher-code --code SPRING-7KQ2M9XA
            """)

    @OptionGroup var client: ClientOptions
    @OptionGroup var project: ProjectOption
    @OptionGroup var write: WriteOptions

    @Option(help: "The code, in any case.")
    var code: String

    func validate() throws { try Check.notBlank(code, "--code") }

    func run() async throws {
        try await client.printAnswer {
            try await $0.redeemVoucherCode(projectID: project.projectId, code: code, idempotencyKey: write.idempotencyKey)
        }
    }
}
