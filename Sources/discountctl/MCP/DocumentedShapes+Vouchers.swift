import DiscountClient

/// The voucher tools' answers, as documented: `success`, `data` and `error`
/// always (null where there is nothing); list_voucher_codes adds the paging
/// keys and gives the code times as float Unix timestamps.
enum VoucherEnvelope {
    static func success(_ data: DocumentedJSON) -> DocumentedJSON {
        .object([("success", .bool(true)), ("data", data), ("error", .null)])
    }

    static func success(page: ListVoucherCodesResponse) -> DocumentedJSON {
        .object([
            ("success", .bool(true)),
            ("data", .array(page.data.map(\.documented))),
            ("matched", .integer(page.matched)),
            ("matched_limited", .bool(page.matchedLimited)),
            ("skip", .integer(Int64(page.skip))),
            ("limit", .integer(Int64(page.limit))),
            ("error", .null),
        ])
    }

    /// A failure: nothing matched and nothing listed, so the counts are null
    /// and the page is empty (skip 0, limit 0); `extra` carries code, reason and hint.
    static func failure(_ message: String, paged: Bool, extra: [(String, DocumentedJSON)]) -> DocumentedJSON {
        var members: [(String, DocumentedJSON)] = [("success", .bool(false)), ("data", .null)]
        if paged {
            members += [("matched", .null), ("matched_limited", .null), ("skip", .integer(0)), ("limit", .integer(0))]
        }
        return .object(members + [("error", .string(message))] + extra)
    }
}

extension VoucherPool {
    var documented: DocumentedJSON {
        .object([("id", .string(id)), ("name", .string(name)), ("total", .integer(total)), ("available", .integer(available))])
    }
}

extension GetVoucherPoolResponse {
    /// The summary's fields, then company_id and used_by; assigned and redeemed are discountd's own.
    var documented: DocumentedJSON {
        .object([
            ("id", .string(id)),
            ("name", .string(name)),
            ("total", .integer(total)),
            ("available", .integer(available)),
            ("company_id", .string(companyId)),
            ("used_by", .array(usedBy.map { .string($0) })),
            ("assigned", .integer(assigned)),
            ("redeemed", .integer(redeemed)),
        ])
    }
}

extension VoucherCode {
    /// The documented four keys, then who holds the code (null until assigned).
    var documented: DocumentedJSON {
        .object([
            ("code", .string(code)),
            ("status", .string(status.jsonName)),
            ("assigned_time", assignedTime.map { .float($0.unixSeconds) } ?? .null),
            ("redeemed_time", redeemedTime.map { .float($0.unixSeconds) } ?? .null),
            ("customer_id", .string(customerId)),
            ("used_by", .string(usedBy)),
        ])
    }
}
