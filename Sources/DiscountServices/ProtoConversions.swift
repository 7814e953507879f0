import DiscountCore
import ProtoCodec

extension Instant {
    init(_ timestamp: ProtoTimestamp) {
        self.init(seconds: timestamp.seconds, nanos: timestamp.nanos)
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
