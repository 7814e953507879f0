import DiscountCore
import DiscountProto

// The domain and the wire both have a `VoucherPool` and a `VoucherCode`.
typealias VoucherPoolRecord = DiscountCore.VoucherPool
typealias VoucherCodeRecord = DiscountCore.VoucherCode
typealias VoucherPoolMessage = DiscountProto.VoucherPool
typealias VoucherCodeMessage = DiscountProto.VoucherCode

extension VoucherPoolMessage {
    init(_ pool: VoucherPoolRecord) {
        self.init(id: pool.id, name: pool.name, total: pool.total, available: pool.available)
    }
}

extension VoucherCodeMessage {
    init(_ code: VoucherCodeRecord) {
        self.init(
            code: code.code, status: VoucherCodeStatus(code.status), assignedTime: code.assignedAt?.timestamp,
            redeemedTime: code.redeemedAt?.timestamp, customerId: code.customerID, usedBy: code.usedBy)
    }
}

extension VoucherCodeStatus {
    init(_ status: VoucherStatus) {
        switch status {
        case .available: self = .available
        case .assigned: self = .assigned
        case .redeemed: self = .redeemed
        }
    }

    /// The domain status; nil for UNSPECIFIED or an unknown number.
    var record: VoucherStatus? {
        switch self {
        case .available: .available
        case .assigned: .assigned
        case .redeemed: .redeemed
        default: nil
        }
    }
}
