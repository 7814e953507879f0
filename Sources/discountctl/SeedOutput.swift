import DiscountClient

/// The voucher seed tools' answer shape: `{"success": true, "data": …, "error": null}`,
/// or `{"success": false, "data": null, "error": "message"}`; list-voucher-codes
/// adds matched, matched_limited, skip and limit.
struct SeedResponse<Data: Encodable>: Encodable {
    var success: Bool
    var data: Data?
    var error: String?
    var page: ListVoucherCodesResponse?

    static func success(_ data: Data, page: ListVoucherCodesResponse? = nil) -> Self {
        Self(success: true, data: data, error: nil, page: page)
    }

    enum CodingKeys: String, CodingKey {
        case success, data, error, matched, matched_limited, skip, limit
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(success, forKey: .success)
        // The seed prints null rather than leaving the key out.
        if let data { try c.encode(data, forKey: .data) } else { try c.encodeNil(forKey: .data) }
        if let error { try c.encode(error, forKey: .error) } else { try c.encodeNil(forKey: .error) }
        if let page {
            try c.encode(page.matched, forKey: .matched)
            try c.encode(page.matchedLimited, forKey: .matched_limited)
            try c.encode(page.skip, forKey: .skip)
            try c.encode(page.limit, forKey: .limit)
        }
    }
}

/// One code as the seed lists it: both times present, null until they happen.
struct SeedVoucherCode: Encodable {
    var code: VoucherCode

    enum CodingKeys: String, CodingKey {
        case code, status, assigned_time, redeemed_time, customer_id, used_by
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code.code, forKey: .code)
        try c.encode(code.status, forKey: .status)
        if let time = code.assignedTime {
            try c.encode(time, forKey: .assigned_time)
        } else {
            try c.encodeNil(forKey: .assigned_time)
        }
        if let time = code.redeemedTime {
            try c.encode(time, forKey: .redeemed_time)
        } else {
            try c.encodeNil(forKey: .redeemed_time)
        }
        try c.encodeIfPresent(code.customerId, forKey: .customer_id)
        try c.encodeIfPresent(code.usedBy, forKey: .used_by)
    }
}

/// Runs a seed-shaped command: prints its answer, or on failure the seed's
/// failure JSON on stdout and the usual report on stderr, with the usual exit status.
func runSeedShaped<Data: Encodable>(
    _ options: ClientOptions, _ body: () async throws -> SeedResponse<Data>
) async throws {
    try await runReporting {
        do {
            try options.print(try await body())
        } catch let error as RPCError {
            try options.print(SeedResponse<Data>(success: false, data: nil, error: error.message))
            throw error
        } catch let failure as CLIFailure {
            try options.print(SeedResponse<Data>(success: false, data: nil, error: failure.message))
            throw failure
        }
    }
}
