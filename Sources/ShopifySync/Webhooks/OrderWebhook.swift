import DiscountCore
import Foundation

/// The parts of an `orders/create` or `orders/paid` payload (the REST Order
/// resource) that attribution needs.
struct OrderWebhook: Sendable, Equatable {
    var orderID: String
    var codes: [String]
    /// Minor units, from `subtotal_price` (a decimal string in major units).
    var subtotal: Int64
    var currency: String
    var occurredAt: Instant?
    var state: OrderState

    enum Problem: Error, Equatable { case notAnOrder(String) }

    init(json body: [UInt8], topic: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
            throw Problem.notAnOrder("body is not a JSON object")
        }
        if let number = object["id"] as? NSNumber {
            orderID = number.stringValue
        } else if let text = object["id"] as? String, !text.isEmpty {
            orderID = text
        } else {
            throw Problem.notAnOrder("no id")
        }
        var codes = (object["discount_codes"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
        codes += (object["discount_applications"] as? [[String: Any]] ?? [])
            .filter { ($0["type"] as? String) == "discount_code" }.compactMap { $0["code"] as? String }
        self.codes = codes
        guard let currency = (object["currency"] as? String).flatMap(CurrencyCode.validated) else {
            throw Problem.notAnOrder("no ISO 4217 currency")
        }
        self.currency = currency
        let subtotalText = (object["subtotal_price"] as? String) ?? (object["subtotal_price"] as? NSNumber)?.stringValue ?? "0"
        guard let subtotal = Self.minorUnits(subtotalText) else { throw Problem.notAnOrder("bad subtotal_price") }
        self.subtotal = subtotal
        occurredAt = (object["created_at"] as? String).flatMap(Self.instant)
        state = topic == "orders/paid" ? .paid : Self.state(financialStatus: object["financial_status"] as? String)
    }

    static func state(financialStatus: String?) -> OrderState {
        switch financialStatus {
        case "paid", "partially_paid": .paid
        case "refunded": .refunded
        case "voided": .cancelled
        default: .pending
        }
    }

    /// "85.00" → 8500. Two decimals, as Shopify formats most currencies.
    static func minorUnits(_ text: String) -> Int64? {
        guard let value = Decimal(string: text), value >= 0,
            value * 100 <= Decimal(OrderAttribution.maxSubtotal)
        else { return nil }
        return NSDecimalNumber(decimal: value * 100).rounding(accordingToBehavior: nil).int64Value
    }

    static func instant(_ text: String) -> Instant? {
        guard let date = try? Date(text, strategy: .iso8601) else { return nil }
        let seconds = date.timeIntervalSince1970.rounded(.down)
        guard let whole = Int64(exactly: seconds) else { return nil }
        let nanos = Int32(((date.timeIntervalSince1970 - seconds) * 1e9).rounded(.down).clamped(to: 0...999_999_999))
        return Instant(wireSeconds: whole, nanos: nanos)
    }
}

extension Double {
    fileprivate func clamped(to range: ClosedRange<Double>) -> Double {
        Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
