import Foundation

/// What one GraphQL Admin call came to, as far as syncing a code cares.
/// GraphQL reports most failures with HTTP 200 and an `errors` array, so both
/// the status and the body decide.
public enum ShopifyAnswer: Sendable, Equatable {
    /// discountCodeBasicCreate made the code.
    case created(id: String)
    /// codeDiscountNodeByCode found the code.
    case found(id: String, title: String?)
    /// codeDiscountNodeByCode: no such code.
    case notFound
    /// userError `TAKEN`: the shop has the code already.
    case taken
    /// Other userErrors: our input was refused; retrying will not help.
    case refused(codes: [String])
    /// `ACCESS_DENIED`, or HTTP 403: the token lacks a scope.
    case accessDenied
    /// `THROTTLED`: wait this many seconds for the bucket to refill.
    case throttled(waitSeconds: Double)
    /// HTTP 429, with the Retry-After seconds (nil when absent).
    case retryAfter(seconds: Double?)
    /// HTTP 401: the token is wrong, revoked, or the app was uninstalled.
    case invalidToken
    /// HTTP 402 or 423: the shop is frozen (unpaid) or locked.
    case shopUnavailable(status: Int)
    /// 5xx or `INTERNAL_SERVER_ERROR`: the mutation may or may not have been applied.
    case serverError(String)
    /// No answer in time, or the connection failed: may or may not have been applied.
    case noAnswer(String)
    /// The TLS handshake failed (a certificate not trusted, or not for this
    /// host): nothing was sent, and trying again will not change the certificate.
    case tlsRefused(String)
    /// Anything else.
    case unexpected(String)
}

/// The cost figures Shopify puts in `extensions.cost.throttleStatus`.
public struct ThrottleStatus: Sendable, Equatable {
    public var maximumAvailable: Double
    public var currentlyAvailable: Double
    public var restoreRate: Double
}

/// Turns an HTTP status, headers and body into a `ShopifyAnswer`.
enum ShopifyAnswerParser {
    static func parse(
        status: Int, retryAfter: String?, body: [UInt8], operation: ShopifyOperation
    ) -> (ShopifyAnswer, ThrottleStatus?) {
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let cost = (json?["extensions"] as? [String: Any])?["cost"] as? [String: Any]
        let throttle = throttleStatus(cost)
        switch status {
        case 429:
            return (.retryAfter(seconds: retryAfter.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }), throttle)
        case 401:
            return (.invalidToken, throttle)
        case 403:
            return (.accessDenied, throttle)
        case 402, 423:
            return (.shopUnavailable(status: status), throttle)
        case 500...599:
            return (.serverError("HTTP \(status)"), throttle)
        case 200..<300:
            break
        default:
            return (.unexpected("HTTP \(status)"), throttle)
        }
        guard let json else { return (.unexpected("body is not a JSON object"), throttle) }
        if let errors = json["errors"] as? [[String: Any]], !errors.isEmpty {
            let codes = errors.compactMap { ($0["extensions"] as? [String: Any])?["code"] as? String }
            if codes.contains("THROTTLED") {
                let requested = (cost?["requestedQueryCost"] as? NSNumber)?.doubleValue ?? 10
                let wait = throttle.map { max(0, (requested - $0.currentlyAvailable) / max($0.restoreRate, 1)) } ?? 1
                return (.throttled(waitSeconds: wait), throttle)
            }
            if codes.contains("ACCESS_DENIED") { return (.accessDenied, throttle) }
            if codes.contains("INTERNAL_SERVER_ERROR") { return (.serverError("INTERNAL_SERVER_ERROR"), throttle) }
            return (.unexpected("errors: \(codes.isEmpty ? "(no codes)" : codes.joined(separator: ", "))"), throttle)
        }
        if let message = json["errors"] as? String { return (.unexpected("errors: \(message)"), throttle) }
        guard let data = json["data"] as? [String: Any] else { return (.unexpected("no data"), throttle) }
        switch operation {
        case .create:
            guard let payload = data["discountCodeBasicCreate"] as? [String: Any] else {
                return (.unexpected("no discountCodeBasicCreate"), throttle)
            }
            let userErrors = (payload["userErrors"] as? [[String: Any]]) ?? []
            if !userErrors.isEmpty {
                let codes = userErrors.map { ($0["code"] as? String) ?? "?" }
                return (codes.contains("TAKEN") ? .taken : .refused(codes: codes), throttle)
            }
            guard let node = payload["codeDiscountNode"] as? [String: Any], let id = node["id"] as? String else {
                return (.unexpected("no codeDiscountNode id"), throttle)
            }
            return (.created(id: id), throttle)
        case .lookup:
            guard let node = data["codeDiscountNodeByCode"] as? [String: Any] else { return (.notFound, throttle) }
            guard let id = node["id"] as? String else { return (.unexpected("node without id"), throttle) }
            let title = (node["codeDiscount"] as? [String: Any])?["title"] as? String
            return (.found(id: id, title: title), throttle)
        }
    }

    private static func throttleStatus(_ cost: [String: Any]?) -> ThrottleStatus? {
        guard let status = cost?["throttleStatus"] as? [String: Any],
            let maximum = (status["maximumAvailable"] as? NSNumber)?.doubleValue,
            let current = (status["currentlyAvailable"] as? NSNumber)?.doubleValue,
            let rate = (status["restoreRate"] as? NSNumber)?.doubleValue
        else { return nil }
        return ThrottleStatus(maximumAvailable: maximum, currentlyAvailable: current, restoreRate: rate)
    }
}
