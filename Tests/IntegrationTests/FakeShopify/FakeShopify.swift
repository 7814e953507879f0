import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A fake Shopify GraphQL Admin API on 127.0.0.1 (random port), speaking real
/// HTTP/1.1 over real TLS, and answering `discountCodeBasicCreate` and
/// `codeDiscountNodeByCode` with the bodies and statuses Shopify's Admin API
/// documents and real stores have been recorded giving (success, TAKEN,
/// other userErrors, ACCESS_DENIED, THROTTLED, a string `errors` with 401,
/// INTERNAL_SERVER_ERROR). Its certificate is issued by a CA made for it,
/// written to `caFile` for the daemon's --shopify-ca-file. Tests script the
/// next answers with `script(_:)` or set a standing answer with `setMode`.
final class FakeShopify: Sendable {
    /// How the fake answers one request.
    enum Reply: Sendable, Equatable {
        /// As Shopify would: checks the token and scopes, stores the code, TAKEN for a known one.
        case normal
        /// 200 with THROTTLED and throttleStatus.
        case throttled(requested: Double, available: Double, restoreRate: Double)
        /// Any status and body, with an optional Retry-After header.
        case http(status: Int, retryAfter: String? = nil, body: String = "")
        /// 200 with INTERNAL_SERVER_ERROR.
        case internalError
        /// The merchant owns the code already: stored under another title, answered TAKEN.
        case takenByMerchant
        /// A userError other than TAKEN.
        case userError(code: String, message: String)
        /// Answers `then` after `seconds`; `.normal` commits at once, so a
        /// client that gives up first has still made the code.
        indirect case slow(seconds: Double, then: Reply)
    }

    /// Which certificate the fake presents.
    enum Presenting: Sendable {
        /// Issued for 127.0.0.1 by the fake's CA: trusted with --shopify-ca-file.
        case trustedByItsCA
        /// Signed by its own key: nobody vouches for it.
        case selfSigned
        /// Issued by the fake's CA, but for another host than 127.0.0.1.
        case issuedForAnotherHost
    }

    /// One request the fake received.
    struct Received: Sendable {
        var operation: String  // "create", "lookup" or "other"
        /// The Admin API version in the request's path.
        var apiVersion: String
        var code: String?
        var token: String?
        var at: ContinuousClock.Instant
        var percentage: Double?
    }

    struct Discount: Sendable {
        var id: String
        var title: String
    }

    private struct State {
        var tokens: [String: Set<String>] = [FakeShopify.goodToken: ["write_discounts", "read_discounts"]]
        var script: [Reply] = []
        var createScript: [Reply] = []
        var mode: Reply = .normal
        var codes: [String: Discount] = [:]
        var received: [Received] = []
        var connections = 0
        var nextID: Int64 = 1_660_207_006_000
    }

    static let goodToken = "shpat_fake_good"
    static let shop = "discountd-test.myshopify.com"

    private let state = Mutex(State())
    private let channel: Mutex<(any Channel)?> = Mutex(nil)
    let port: Int
    /// The fake's own CA certificate (PEM), for `--shopify-ca-file`.
    let caFile: String

    /// The endpoint template for `--shopify-endpoint`: HTTPS, with the API version left to the daemon.
    var endpoint: String { "https://127.0.0.1:\(port)/{shop}/admin/api/{version}/graphql.json" }

    private init(channel: any Channel, port: Int, caFile: String) {
        self.channel.withLock { $0 = channel }
        self.port = port
        self.caFile = caFile
    }

    static func start(presenting: Presenting = .trustedByItsCA) async throws -> FakeShopify {
        let authority = try TestCertificateAuthority(commonName: "fake Shopify test CA")
        let caFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "fake-shopify-ca-\(UUID().uuidString.prefix(8)).pem"
        ).path
        try authority.writePEM(to: caFile)
        let identity: ServerIdentity =
            switch presenting {
            case .trustedByItsCA: try authority.issueServerCertificate()
            case .selfSigned: try TestCertificateAuthority.selfSignedServerCertificate()
            case .issuedForAnotherHost:
                try authority.issueServerCertificate(ipAddresses: [[10, 9, 8, 7]], dnsNames: ["shop.example"])
            }
        let tls = try NIOSSLContext(configuration: identity.serverConfiguration)
        let box = Mutex<FakeShopify?>(nil)
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    guard let fake = box.withLock({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                    fake.state.withLock { $0.connections += 1 }
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FakeShopifyHandler(fake: fake))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let fake = FakeShopify(channel: channel, port: channel.localAddress?.port ?? 0, caFile: caFile)
        box.withLock { $0 = fake }
        return fake
    }

    func stop() async {
        let channel = self.channel.withLock { channel in
            defer { channel = nil }
            return channel
        }
        try? await channel?.close()
        try? FileManager.default.removeItem(atPath: caFile)
    }

    // MARK: Scripting

    /// Answers the next requests with `replies`, in order; then `mode`.
    func script(_ replies: Reply...) { state.withLock { $0.script += replies } }

    /// Answers the next create requests with `replies`, before the general
    /// script: what a test means for a create still reaches one when an
    /// earlier request never arrived (a loaded machine's timeout).
    func scriptCreates(_ replies: Reply...) { state.withLock { $0.createScript += replies } }

    /// The standing answer once the script is used up.
    func setMode(_ reply: Reply) { state.withLock { $0.mode = reply } }

    /// Registers a token with its scopes.
    func addToken(_ token: String, scopes: Set<String>) { state.withLock { $0.tokens[token] = scopes } }

    /// Forgets a token (revoked, or the app uninstalled): it gets 401 from now on.
    func revokeToken(_ token: String) { state.withLock { _ = $0.tokens.removeValue(forKey: token) } }

    var received: [Received] { state.withLock { $0.received } }
    /// TCP connections accepted, whether or not their TLS handshake succeeded.
    var connections: Int { state.withLock { $0.connections } }
    var creates: [Received] { received.filter { $0.operation == "create" } }
    var lookups: [Received] { received.filter { $0.operation == "lookup" } }

    func discount(code: String) -> Discount? { state.withLock { $0.codes[code.uppercased()] } }
    var discountCount: Int { state.withLock { $0.codes.count } }

    // MARK: Answering

    struct Answer: Sendable {
        var delay: Double = 0
        var status: Int = 200
        var headers: [(String, String)] = []
        var body: String
    }

    func answer(token: String?, path: String, body: [UInt8]) -> Answer {
        let json = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let query = json?["query"] as? String ?? ""
        let variables = json?["variables"] as? [String: Any] ?? [:]
        let input = variables["input"] as? [String: Any]
        let operation =
            query.contains("discountCodeBasicCreate") ? "create" : query.contains("codeDiscountNodeByCode") ? "lookup" : "other"
        let code = (input?["code"] as? String) ?? (variables["code"] as? String)
        let percentage = ((input?["customerGets"] as? [String: Any])?["value"] as? [String: Any])?["percentage"] as? Double
        // /{shop}/admin/api/{version}/graphql.json
        let parts = path.split(separator: "/")
        let version =
            parts.firstIndex(of: "api").flatMap {
                parts.index(after: $0) < parts.endIndex ? String(parts[parts.index(after: $0)]) : nil
            } ?? ""
        return state.withLock { state in
            state.received.append(
                Received(
                    operation: operation, apiVersion: version, code: code, token: token, at: .now, percentage: percentage))
            let reply =
                if operation == "create", !state.createScript.isEmpty {
                    state.createScript.removeFirst()
                } else {
                    state.script.isEmpty ? state.mode : state.script.removeFirst()
                }
            return Self.reply(reply, operation: operation, code: code, input: input, token: token, state: &state)
        }
    }

    private static let cost =
        #""extensions":{"cost":{"requestedQueryCost":10,"actualQueryCost":10,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":1990,"restoreRate":100.0}}}"#

    private static func reply(
        _ reply: Reply, operation: String, code: String?, input: [String: Any]?, token: String?, state: inout State
    ) -> Answer {
        switch reply {
        case .slow(let seconds, let then):
            var answer = Self.reply(then, operation: operation, code: code, input: input, token: token, state: &state)
            answer.delay += seconds
            return answer
        case .throttled(let requested, let available, let rate):
            return Answer(
                body:
                    #"{"errors":[{"message":"Throttled","extensions":{"code":"THROTTLED","documentation":"https://shopify.dev/api/usage/rate-limits"}}],"extensions":{"cost":{"requestedQueryCost":\#(requested),"actualQueryCost":null,"throttleStatus":{"maximumAvailable":2000.0,"currentlyAvailable":\#(available),"restoreRate":\#(rate)}}}}"#
            )
        case .http(let status, let retryAfter, let body):
            return Answer(status: status, headers: retryAfter.map { [("Retry-After", $0)] } ?? [], body: body)
        case .internalError:
            return Answer(
                body:
                    #"{"errors":[{"message":"Internal error. Looks like something went wrong on our end. Request ID: 1b355a21-7117-44c5-8d8b-8948082f40a8 (include this in support requests).","extensions":{"code":"INTERNAL_SERVER_ERROR","requestId":"1b355a21-7117-44c5-8d8b-8948082f40a8"}}]}"#
            )
        case .takenByMerchant:
            if let code {
                state.codes[code.uppercased()] = Discount(id: "gid://shopify/DiscountCodeNode/1", title: "Merchant's own")
            }
            return taken()
        case .userError(let errorCode, let message):
            return Answer(
                body:
                    #"{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[{"field":["basicCodeDiscount","code"],"message":"\#(message)","code":"\#(errorCode)","extraInfo":null}]}},\#(cost)}"#
            )
        case .normal:
            guard let token, let scopes = state.tokens[token] else {
                return Answer(
                    status: 401,
                    body: #"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#)
            }
            switch operation {
            case "create":
                guard scopes.contains("write_discounts") else {
                    return Answer(
                        body:
                            #"{"data":{"discountCodeBasicCreate":null},"errors":[{"message":"Access denied for discountCodeBasicCreate field. Required access: `write_discounts` access scope.","locations":[{"line":2,"column":3}],"path":["discountCodeBasicCreate"],"extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes","requiredAccess":"`write_discounts` access scope."}}],\#(cost)}"#
                    )
                }
                guard let code, !code.isEmpty, let title = input?["title"] as? String, input?["startsAt"] is String,
                    let percentage = ((input?["customerGets"] as? [String: Any])?["value"] as? [String: Any])?["percentage"]
                        as? Double,
                    (0...1).contains(percentage)
                else {
                    return Answer(
                        body:
                            #"{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[{"field":["basicCodeDiscount"],"message":"Invalid input","code":"INVALID","extraInfo":null}]}},\#(cost)}"#
                    )
                }
                if state.codes[code.uppercased()] != nil { return taken() }
                state.nextID += 1
                let id = "gid://shopify/DiscountCodeNode/\(state.nextID)"
                state.codes[code.uppercased()] = Discount(id: id, title: title)
                return Answer(
                    body:
                        #"{"data":{"discountCodeBasicCreate":{"codeDiscountNode":{"id":"\#(id)","codeDiscount":{"title":\#(jsonString(title)),"status":"ACTIVE"}},"userErrors":[]}},\#(cost)}"#
                )
            case "lookup":
                guard scopes.contains("read_discounts") else {
                    return Answer(
                        body:
                            #"{"data":{"codeDiscountNodeByCode":null},"errors":[{"message":"Access denied for codeDiscountNodeByCode field. Required access: `read_discounts` access scope.","locations":[{"line":1,"column":30}],"path":["codeDiscountNodeByCode"],"extensions":{"code":"ACCESS_DENIED","documentation":"https://shopify.dev/api/usage/access-scopes","requiredAccess":"`read_discounts` access scope."}}],\#(cost)}"#
                    )
                }
                guard let found = code.flatMap({ state.codes[$0.uppercased()] }) else {
                    return Answer(body: #"{"data":{"codeDiscountNodeByCode":null},\#(cost)}"#)
                }
                return Answer(
                    body:
                        #"{"data":{"codeDiscountNodeByCode":{"id":"\#(found.id)","codeDiscount":{"title":\#(jsonString(found.title)),"status":"ACTIVE"}}},\#(cost)}"#
                )
            default:
                return Answer(body: #"{"errors":[{"message":"unknown query"}]}"#)
            }
        }
    }

    private static func taken() -> Answer {
        Answer(
            body:
                #"{"data":{"discountCodeBasicCreate":{"codeDiscountNode":null,"userErrors":[{"field":["basicCodeDiscount","code"],"message":"Code must be unique. Please try a different code.","code":"TAKEN","extraInfo":null}]}},\#(cost)}"#
        )
    }

    private static func jsonString(_ text: String) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: [text])) ?? Data("[\"\"]".utf8), as: UTF8.self)
            .dropFirst().dropLast().description
    }
}

/// Collects one HTTP request and writes the fake's answer, after its delay.
private final class FakeShopifyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let fake: FakeShopify
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(fake: FakeShopify) { self.fake = fake }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body += buffer.readableBytesView
        case .end:
            let keepAlive = head?.isKeepAlive ?? false
            let answer = fake.answer(
                token: head?.headers.first(name: "X-Shopify-Access-Token"), path: head?.uri ?? "", body: body)
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            if answer.delay > 0 {
                context.eventLoop.scheduleTask(in: .milliseconds(Int64(answer.delay * 1000))) {
                    let (handler, context) = bound.value
                    handler.write(answer, keepAlive: keepAlive, context: context)
                }
            } else {
                write(answer, keepAlive: keepAlive, context: context)
            }
        }
    }

    private func write(_ answer: FakeShopify.Answer, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(answer.body.utf8.count)")])
        for (name, value) in answer.headers { headers.add(name: name, value: value) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(
            version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: answer.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
