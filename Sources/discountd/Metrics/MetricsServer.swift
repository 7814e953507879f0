import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus
import ServiceLifecycle

/// `--metrics-listen`: an HTTP/1.1 server (SwiftNIO) on which `GET /metrics`
/// answers the registry in the Prometheus text format; any other path is 404.
struct MetricsServer: Service {
    static let path = "/metrics"
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let figures: ScrapeFigures
    let logger: Logger

    typealias Connection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

    func run() async throws {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try Connection(wrappingChannelSynchronously: channel)
                }
            }
        logger.info("metrics listener", metadata: ["address": "\(listener.channel.localAddress.map { "\($0)" } ?? "?")"])
        // Scrapers keep their connections open: shutdown cancels them with the listener.
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                try? await listener.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await serve(connection) }
                    }
                }
            }
        }
    }

    private func serve(_ connection: Connection) async {
        try? await connection.executeThenClose { requests, responses in
            var head: HTTPRequestHead?
            for try await part in requests {
                switch part {
                case .head(let received):
                    head = received
                case .body:
                    break
                case .end:
                    guard let request = head else { continue }
                    let (status, body) = await answer(request)
                    var headers = HTTPHeaders([("Content-Length", "\(body.readableBytes)")])
                    headers.add(name: "Content-Type", value: status == .ok ? Self.contentType : "text/plain; charset=utf-8")
                    if status == .methodNotAllowed { headers.add(name: "Allow", value: "GET") }
                    if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
                    try await responses.write(.head(HTTPResponseHead(version: request.version, status: status, headers: headers)))
                    try await responses.write(.body(.byteBuffer(body)))
                    try await responses.write(.end(nil))
                    if !request.isKeepAlive { return }
                }
            }
        }
    }

    private func answer(_ request: HTTPRequestHead) async -> (HTTPResponseStatus, ByteBuffer) {
        guard request.uri.split(separator: "?", maxSplits: 1).first.map(String.init) == Self.path else {
            return (.notFound, ByteBuffer(string: "not found; metrics are at \(Self.path)\n"))
        }
        guard request.method == .GET else { return (.methodNotAllowed, ByteBuffer(string: "use GET\n")) }
        do {
            try await figures.update()
        } catch {
            logger.warning("metrics: reading the store's figures", metadata: ["error": "\(error)"])
        }
        return (.ok, ByteBuffer(bytes: registry.emitToBuffer()))
    }
}
