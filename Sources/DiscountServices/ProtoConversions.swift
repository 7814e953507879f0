import DiscountCore
import DiscountProto
import ProtoCodec

extension Instant {
    /// A time from the wire: INVALID_ARGUMENT naming `field` when it is outside
    /// what google.protobuf.Timestamp allows (0001-01-01 to 9999-12-31).
    init(_ timestamp: ProtoTimestamp, field: String) throws {
        guard let instant = Instant(wireSeconds: timestamp.seconds, nanos: timestamp.nanos) else {
            throw ServiceError.invalidArgument(
                field: field,
                "\(field) must be between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z with nanos 0 to 999999999")
        }
        self = instant
    }

    var timestamp: ProtoTimestamp { ProtoTimestamp(seconds: seconds, nanos: nanos) }
}

extension PriceRuleMessage {
    init(_ rule: PriceRuleRecord) {
        self.init(
            id: rule.id, title: rule.title,
            valueType: rule.valueKind == .percentage ? .percentage : .fixedAmount,
            value: rule.value, currency: rule.currency,
            startsAt: rule.startsAt.timestamp, endsAt: rule.endsAt?.timestamp,
            usageLimit: rule.usageLimit, oncePerCustomer: rule.oncePerCustomer,
            createdAt: rule.createdAt.timestamp, updatedAt: rule.updatedAt.timestamp)
    }
}

extension DiscountCodeMessage {
    init(_ code: DiscountCodeRecord) {
        self.init(
            id: code.id, priceRuleId: code.priceRuleID, code: code.code,
            createdAt: code.createdAt.timestamp, updatedAt: code.updatedAt.timestamp,
            useWithOther: code.useWithOther, usageCount: code.usageCount, usageLimit: code.usageLimit)
    }
}

extension ProjectMessage {
    init(_ project: ProjectRecord) {
        self.init(id: project.id, name: project.name, createdAt: project.createdAt.timestamp)
    }
}

extension Optional where Wrapped == ProtoTimestamp {
    /// The optional time from the wire (see `Instant.init(_:field:)`).
    func instant(field: String) throws -> Instant? {
        try map { try Instant($0, field: field) }
    }
}
