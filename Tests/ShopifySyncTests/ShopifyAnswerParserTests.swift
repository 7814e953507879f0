import Testing

@testable import ShopifySync

/// Shopify's answers (the bodies and statuses its Admin API documents and
/// real stores have been recorded giving), classified.
@Suite struct ShopifyAnswerParserTests {
    private func parse(
        _ body: String, _ operation: ShopifyOperation = .create, status: Int = 200, retryAfter: String? = nil
    ) -> ShopifyAnswer {
        ShopifyAnswerParser.parse(status: status, retryAfter: retryAfter, body: Array(body.utf8), operation: operation).0
    }

    @Test func success() {
        let body =
            #"{"data":{"discountCodeBasicCreate":{"codeDiscountNode":{"id":"gid://shopify/DiscountCodeNode/1660207006002"},"userErrors":[]}},"extensions":{"cost":{"requestedQueryCost":20,"actualQueryCost":20,"throttleStatus":{"maximumAvailable":2000,"currentlyAvailable":1980,"restoreRate":100}}}}"#
        #expect(parse(body) == .created(id: "gid://shopify/DiscountCodeNode/1660207006002"))
        let (_, throttle) = ShopifyAnswerParser.parse(status: 200, retryAfter: nil, body: Array(body.utf8), operation: .create)
        #expect(throttle == ThrottleStatus(maximumAvailable: 2000, currentlyAvailable: 1980, restoreRate: 100))
    }

    @Test func userErrors() {
        #expect(
            parse(
                #"{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[{"field":["basicCodeDiscount","code"],"message":"Code must be unique. Please try a different code.","code":"TAKEN","extraInfo":null}]}}}"#
            ) == .taken)
        #expect(
            parse(
                #"{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[{"code":"VALUE_OUTSIDE_RANGE"}]}}}"#)
                == .refused(codes: ["VALUE_OUTSIDE_RANGE"]))
    }

    @Test func topLevelErrors() {
        #expect(
            parse(
                #"{"data":{"discountCodeBasicCreate":null},"errors":[{"message":"Access denied","extensions":{"code":"ACCESS_DENIED"}}]}"#
            ) == .accessDenied)
        #expect(
            parse(
                #"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED"}}],"extensions":{"cost":{"requestedQueryCost":752,"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":666,"restoreRate":100.0}}}}"#
            ) == .throttled(waitSeconds: 0.86))
        #expect(
            parse(#"{"errors":[{"message":"Internal error.","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#)
                == .serverError("INTERNAL_SERVER_ERROR"))
        #expect(
            parse(#"{"errors":[{"message":"bad variable","extensions":{"code":"INVALID_VARIABLE"}}]}"#)
                == .unexpected("errors: INVALID_VARIABLE"))
    }

    @Test func httpStatuses() {
        #expect(
            parse(#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#, status: 401)
                == .invalidToken)
        #expect(
            parse(#"{"errors":"[API] This action requires merchant approval for write_discounts scope."}"#, status: 403)
                == .accessDenied)
        #expect(parse("", status: 402) == .shopUnavailable(status: 402))
        #expect(parse("", status: 423) == .shopUnavailable(status: 423))
        #expect(
            parse(#"{"errors":"Exceeded 2 calls per second for api client."}"#, status: 429, retryAfter: "2.0")
                == .retryAfter(seconds: 2))
        #expect(parse("", status: 429) == .retryAfter(seconds: nil))
        #expect(parse("", status: 503) == .serverError("HTTP 503"))
        #expect(parse("Bad Gateway", status: 502) == .serverError("HTTP 502"))
        #expect(parse("<html>") == .unexpected("body is not a JSON object"))
        #expect(parse(#"{"errors":"Not Found"}"#) == .unexpected("errors: Not Found"))
    }

    @Test func lookup() {
        #expect(parse(#"{"data":{"codeDiscountNodeByCode":null}}"#, .lookup) == .notFound)
        #expect(
            parse(
                #"{"data":{"codeDiscountNodeByCode":{"id":"gid://shopify/DiscountCodeNode/7","codeDiscount":{"title":"t"}}}}"#,
                .lookup) == .found(id: "gid://shopify/DiscountCodeNode/7", title: "t"))
    }

    @Test func webhookSignature() {
        let signature = WebhookSignature(secret: "hush")
        let body = Array(#"{"id":1}"#.utf8)
        let header = signature.sign(body)
        #expect(signature.verify(body, header: header))
        #expect(!signature.verify(body + [32], header: header))
        #expect(!signature.verify(body, header: nil))
        #expect(!signature.verify(body, header: "not base64!"))
    }

    @Test func orderPayload() throws {
        let order = try OrderWebhook(
            json: Array(
                #"{"id": 820982911946154508, "created_at": "2026-07-14T11:00:00-04:00", "currency": "usd", "financial_status": "paid", "subtotal_price": "85.00", "discount_codes": [{"code": "JANE15-K3M7QX", "amount": "15.00", "type": "percentage"}]}"#
                    .utf8), topic: "orders/create")
        #expect(order.orderID == "820982911946154508")
        #expect(order.codes == ["JANE15-K3M7QX"])
        #expect(order.subtotal == 8_500 && order.currency == "USD" && order.state == .paid)
        #expect(order.occurredAt?.seconds == 1_784_041_200)
    }
}
