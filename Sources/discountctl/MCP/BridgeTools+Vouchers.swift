import DiscountClient

extension BridgeTools {
    /// Required in the documented tools; left out, the token's own project.
    private static let project = ToolParameter.optional(
        "project_id", .string, "The project ID returned by list_projects. Left out: the project of the bridge's token.")
    private static let pool = ToolParameter.required("pool_id", .string, "The voucher pool's id.")
    private static let statuses = ["available", "assigned", "redeemed"]

    /// The voucher tools: the three documented reads answer in their
    /// {"success", "data", "error"} envelope, failures too.
    static let vouchers: [BridgeTool] = [
        BridgeTool(read: "list_projects", "List the projects (companies) the token may see.") { _, client in
            try await client.listProjects()
        },
        BridgeTool(
            read: "list_voucher_pools",
            "List the voucher pools in a project: {\"success\", \"data\": [{id, name, total, available}], \"error\"}.",
            [project], failure: .voucherEnvelope(paged: false)
        ) { a, client in
            VoucherEnvelope.success(.array(try await client.listVoucherPools(projectID: a.projectID).data.map(\.documented)))
        },
        BridgeTool(
            read: "get_voucher_pool",
            "Get the full details of a voucher pool: {\"success\", \"data\": {id, name, total, available, company_id, used_by, assigned, redeemed}, \"error\"}.",
            [project, pool], failure: .voucherEnvelope(paged: false)
        ) { a, client in
            VoucherEnvelope.success(
                try await client.getVoucherPool(projectID: a.projectID, poolID: a.string("pool_id")).documented)
        },
        BridgeTool(
            read: "list_voucher_codes",
            "List a page of the codes inside a pool, optionally of one status: {\"success\", \"data\": [{code, status, assigned_time, redeemed_time, customer_id, used_by}], \"matched\", \"matched_limited\", \"skip\", \"limit\", \"error\"}; the times are float Unix timestamps or null.",
            [
                project, pool,
                .optional("skip", .integer, "Pagination offset (default 0)."),
                .optional("count", .integer, "Number of codes to return, 1 to 1000 (default 20)."),
                .optional("status", .oneOf(statuses), "Only codes of this status."),
            ],
            failure: .voucherEnvelope(paged: true)
        ) { a, client in
            let page = try await client.listVoucherCodes(
                ListVoucherCodesRequest(
                    projectId: a.projectID, poolId: a.string("pool_id"), skip: a.optionalInt32("skip") ?? 0,
                    count: a.optionalInt32("count"), status: a.optionalString("status").flatMap(VoucherCodeStatus.init(jsonName:))
                ))
            return VoucherEnvelope.success(page: page)
        },
        BridgeTool(
            write: "create_voucher_pool", "Create an empty voucher pool; names are unique in a project.",
            [project, .required("name", .string, "The pool's name.")]
        ) { a, client in
            try await client.createVoucherPool(projectID: a.projectID, name: a.string("name"), idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(write: "delete_voucher_pool", "Delete a voucher pool and all its codes.", [project, pool]) { a, client in
            try await client.deleteVoucherPool(
                projectID: a.projectID, poolID: a.string("pool_id"), idempotencyKey: a.idempotencyKey)
        },
        BridgeTool(
            write: "add_voucher_codes",
            "Import the listed codes into a pool, or generate count codes (prefix + random part). Returns added and duplicates.",
            [
                project, pool,
                .optional("codes", .strings, "The codes to import (or give count to generate them)."),
                .optional("count", .integer, "How many codes to generate, 1 to 1000000."),
                .optional("prefix", .string, "Literal text before every generated code."),
                .optional("length", .integer, "Length of the random part (default 8)."),
                .optional("charset", .string, "Alphabet of the random part."),
            ]
        ) { a, client in
            var request = AddVoucherCodesRequest(projectId: a.projectID, poolId: a.string("pool_id"))
            if let generator = a.generator { request.generator = generator } else { request.codes = a.strings("codes") }
            return try await client.addVoucherCodes(request, idempotencyKey: a.idempotencyKey, timeout: .seconds(600))
        },
        BridgeTool(
            write: "assign_voucher_code",
            "Hand one available code of a pool to a customer; the same customer and used_by get the same code again. Fails with POOL_EXHAUSTED when none is left.",
            [
                project, pool,
                .required("customer_id", .string, "Who gets the code."),
                .optional("used_by", .string, "The campaign or purpose the code is for."),
            ]
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
}
