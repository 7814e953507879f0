import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle

/// The optional loopback HTTP listener for Shopify's order webhooks
/// (`--webhook-listen`). Anything but `POST /webhooks/shopify` gets 404.
public struct WebhookServer: Service {
    public static let path = "/webhooks/shopify"
    /// Shopify's payloads are small; a larger body is refused unread.
    static let maxBody = 1 << 20

    let host: String
    let port: Int
    let processor: WebhookProcessor
    let logger: Logger

    public init(host: String, port: Int, processor: WebhookProcessor, logger: Logger) {
        self.host = host
        self.port = port
        self.processor = processor
        self.logger = logger
    }

    public func run() async throws {
        let processor = self.processor
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(WebhookHandler(processor: processor))
                }
            }
            .bind(host: host, port: port).get()
        logger.info("webhook listener", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
        await withGracefulShutdownHandler {
            try? await channel.closeFuture.get()
        } onGracefulShutdown: {
            channel.close(promise: nil)
        }
    }
}

/// Collects one request's raw body, hands it to the processor, writes the reply.
final class WebhookHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let processor: WebhookProcessor
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(processor: WebhookProcessor) { self.processor = processor }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            tooLarge = false
        case .body(let buffer):
            if body.count + buffer.readableBytes > WebhookServer.maxBody {
                tooLarge = true
            } else {
                body += buffer.readableBytesView
            }
        case .end:
            guard let head else { return }
            let keepAlive = head.isKeepAlive
            if tooLarge { return write(.init(status: 413, body: #"{"error":"too large"}"#), keepAlive: false, context: context) }
            guard head.method == .POST, head.uri.split(separator: "?").first.map(String.init) == WebhookServer.path else {
                return write(.init(status: 404, body: #"{"error":"not found"}"#), keepAlive: keepAlive, context: context)
            }
            var headers: [String: String] = [:]
            for (name, value) in head.headers { headers[name.lowercased()] = value }
            let delivery = WebhookProcessor.Delivery(path: head.uri, headers: headers, body: body)
            let processor = self.processor
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            let eventLoop = context.eventLoop
            Task {
                let reply = await processor.handle(delivery)
                eventLoop.execute {
                    let (handler, context) = bound.value
                    handler.write(reply, keepAlive: keepAlive, context: context)
                }
            }
        }
    }

    private func write(_ reply: WebhookProcessor.Reply, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders([("Content-Type", "application/json"), ("Content-Length", "\(reply.body.utf8.count)")])
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(
                .head(
                    HTTPResponseHead(
                        version: .http1_1, status: HTTPResponseStatus(statusCode: reply.status), headers: headers))), promise: nil
        )
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { channel.close(promise: nil) }
        }
    }
}
