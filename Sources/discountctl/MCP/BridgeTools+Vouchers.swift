import DiscountClient

extension BridgeTools {
    private static let project = ToolParameter.optional(
        "project_id", .string, "The project (company); default: the token's own. See list_projects.")
    private static let pool = ToolParameter.required("pool_id", .string, "The voucher pool's id.")
    private static let statuses = ["available", "assigned", "redeemed"]

    /// The voucher seed's tools: reads answer in its {"success", "data", "error"} envelope.
    static let vouchers: [BridgeTool] = [
        BridgeTool(read: "list_projects", "List the projects (companies) the token may see.") { _, client in
            try await client.listProjects()
        },
        BridgeTool(
            read: "list_voucher_pools", "List a project's voucher pools with their total and available counts.",
            [project], seedEnvelope: true
        ) { a, client in
            SeedResponse.success(try await client.listVoucherPools(projectID: a.projectID).data)
        },
        BridgeTool(
            read: "get_voucher_pool", "Show one voucher pool: total, available, company_id and the used_by references.",
            [project, pool], seedEnvelope: true
        ) { a, client in
            SeedResponse.success(try await client.getVoucherPool(projectID: a.projectID, poolID: a.string("pool_id")))
        },
        BridgeTool(
            read: "list_voucher_codes",
            "List a page of a pool's codes (code, status, assigned_time, redeemed_time), optionally of one status; with matched, matched_limited, skip and limit.",
            [project, pool,
             .optional("skip", .integer, "Codes to skip, in pool order (default 0)."),
             .optional("count", .integer, "Codes to list, 1 to 1000 (default 20)."),
             .optional("status", .oneOf(statuses), "Only codes of this status.")],
            seedEnvelope: true
        ) { a, client in
            let page = try await client.listVoucherCodes(
                ListVoucherCodesRequest(
                    projectId: a.projectID, poolId: a.string("pool_id"), skip: a.optionalInt32("skip") ?? 0,
                    count: a.optionalInt32("count"), status: a.optionalString("status").flatMap(voucherStatus)))
            return SeedResponse.success(page.data.map(SeedVoucherCode.init), page: page)
        },
        BridgeTool(write: "create_voucher_pool", "Create an empty voucher pool; names are unique in a project.",
                   [project, .required("name", .string, "The pool's name.")]) { a, client in
            try await client.createVoucherPool(projectID: a.projectID, name: a.string("name"), idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(write: "delete_voucher_pool", "Delete a voucher pool and all its codes.", [project, pool]) { a, client in
            try await client.deleteVoucherPool(projectID: a.projectID, poolID: a.string("pool_id"), idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            write: "add_voucher_codes",
            "Import the listed codes into a pool, or generate count codes (prefix + random part). Returns added and duplicates.",
            [project, pool,
             .optional("codes", .strings, "The codes to import (or give count to generate them)."),
             .optional("count", .integer, "How many codes to generate, 1 to 1000000."),
             .optional("prefix", .string, "Literal text before every generated code."),
             .optional("length", .integer, "Length of the random part (default 8)."),
             .optional("charset", .string, "Alphabet of the random part.")]
        ) { a, client in
            var request = AddVoucherCodesRequest(projectId: a.projectID, poolId: a.string("pool_id"))
            if let generator = a.generator { request.generator = generator } else { request.codes = a.strings("codes") }
            return try await client.addVoucherCodes(request, idempotencyKey: a.idempotencyKey, timeout: .seconds(600))
        },
        BridgeTool(
            write: "assign_voucher_code",
            "Hand one available code of a pool to a customer; the same customer and used_by get the same code again. Fails with POOL_EXHAUSTED when none is left.",
            [project, pool,
             .required("customer_id", .string, "Who gets the code."),
             .optional("used_by", .string, "The campaign or purpose the code is for.")]
        ) { a, client in
            try await client.assignVoucherCode(
                projectID: a.projectID, poolID: a.string("pool_id"), customerID: a.string("customer_id"),
                usedBy: a.optionalString("used_by"), idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            write: "redeem_voucher_code", "Mark an assigned voucher code redeemed; redeeming twice is refused.",
            [project, .required("code", .string, "The code, in any case.")]
        ) { a, client in
            try await client.redeemVoucherCode(projectID: a.projectID, code: a.string("code"), idempotencyKey: a.idempotencyKey)
        },
    ]

    private static func voucherStatus(_ name: String) -> VoucherCodeStatus? {
        switch name {
        case "available": .available
        case "assigned": .assigned
        case "redeemed": .redeemed
        default: nil
        }
    }
}
