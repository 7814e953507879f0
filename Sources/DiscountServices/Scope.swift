/// What a token may do. Names are the ones tokens are created with.
public enum Scope: String, Sendable, CaseIterable, Hashable {
    case readPriceRules = "read_price_rules"
    case writePriceRules = "write_price_rules"
    case readCampaigns = "read_campaigns"
    case writeCampaigns = "write_campaigns"
    case commission = "commission"
    case readVouchers = "read_vouchers"
    case writeVouchers = "write_vouchers"
    case admin = "admin"
}
