import TTRPC

extension ServiceError {
    static func voucherPoolNotFound(_ id: String) -> ServiceError {
        ServiceError(.notFound, reason: "VOUCHER_POOL_NOT_FOUND", "Voucher pool \(id) not found.", field: "pool_id")
    }

    static func voucherCodeNotFound(_ code: String) -> ServiceError {
        ServiceError(.notFound, reason: "VOUCHER_CODE_NOT_FOUND", "Voucher code \(code) not found.", field: "code")
    }

    static func poolExhausted(_ id: String) -> ServiceError {
        ServiceError(
            .resourceExhausted, reason: "POOL_EXHAUSTED", "Voucher pool \(id) has no available codes left.",
            hint: "Add codes with AddVoucherCodes.", field: "pool_id")
    }

    static func voucherAlreadyRedeemed(_ code: String) -> ServiceError {
        ServiceError(
            .failedPrecondition, reason: "ALREADY_REDEEMED", "Voucher code \(code) has already been redeemed.", field: "code")
    }

    static func voucherNotAssigned(_ code: String) -> ServiceError {
        ServiceError(
            .failedPrecondition, reason: "VOUCHER_NOT_ASSIGNED", "Voucher code \(code) has not been assigned to anyone.",
            hint: "Only an assigned code can be redeemed; assign one with AssignVoucherCode.", field: "code")
    }

    static func voucherPoolNameTaken(_ name: String) -> ServiceError {
        ServiceError(
            .alreadyExists, reason: "POOL_NAME_TAKEN", "A voucher pool named \(name) already exists in this project.",
            field: "name")
    }
}
