import DiscountProto
import ProtoCodec

/// What one benchmark run calls. Each scenario is one discountd method with a
/// request that hits the fixtures `BenchFixtures` sets up, except `mixed`, which
/// interleaves several (see `MixedWorkload`).
public enum BenchScenario: String, CaseIterable, Codable, Sendable {
    case health
    case getDiscountCode = "get-discount-code"
    case lookupDiscountCode = "lookup-discount-code"
    case createDiscountCode = "create-discount-code"
    case getMyDiscountCodeExisting = "get-my-discount-code-existing"
    case getMyDiscountCodeFirst = "get-my-discount-code-first"
    case assignVoucherCode = "assign-voucher-code"
    case redeemDiscountCode = "redeem-discount-code"
    case mixed

    /// Fully qualified ttrpc service and method; nil for `mixed`.
    public var call: (service: String, method: String)? {
        let method: ProtoMethodDescriptor? =
            switch self {
            case .health: HealthRPC.check.descriptor
            case .getDiscountCode: PriceRulesRPC.getDiscountCode.descriptor
            case .lookupDiscountCode: PriceRulesRPC.lookupDiscountCode.descriptor
            case .createDiscountCode: PriceRulesRPC.createDiscountCode.descriptor
            case .getMyDiscountCodeExisting, .getMyDiscountCodeFirst: CommissionRPC.getMyDiscountCode.descriptor
            case .assignVoucherCode: VouchersRPC.assignVoucherCode.descriptor
            case .redeemDiscountCode: PriceRulesRPC.redeemDiscountCode.descriptor
            case .mixed: nil
            }
        return method.map { ($0.service, $0.name) }
    }

    /// A write that is acknowledged only once durable.
    public var isDurableWrite: Bool {
        switch self {
        case .createDiscountCode, .getMyDiscountCodeFirst, .assignVoucherCode, .redeemDiscountCode: true
        default: false
        }
    }

    /// One line for people: what a call does.
    public var summary: String {
        switch self {
        case .health: "Health.Check, empty request"
        case .getDiscountCode: "GetDiscountCode of one set-up code (cache hit)"
        case .lookupDiscountCode: "LookupDiscountCode of one set-up code's text (cache hit)"
        case .createDiscountCode: "CreateDiscountCode, a new code per call (durable)"
        case .getMyDiscountCodeExisting: "GetMyDiscountCode of an agent that has its code (cache hit)"
        case .getMyDiscountCodeFirst: "GetMyDiscountCode of a new agent per call: creates its code (durable)"
        case .assignVoucherCode: "AssignVoucherCode for a new customer per call (durable)"
        case .redeemDiscountCode: "RedeemDiscountCode of a code with a usage limit, a new order per call (durable)"
        case .mixed: "agent mix: 80% reads (GetMyDiscountCode, Lookup, Get), 20% writes (Assign, Redeem)"
        }
    }
}
