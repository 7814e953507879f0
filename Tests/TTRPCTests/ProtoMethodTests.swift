import Foundation
import Logging
import ProtoCodec
import Testing

@testable import TTRPC

/// Registering and calling by typed method (what proto/ generates), with
/// TTRPC's own messages standing in for a schema.
@Suite struct ProtoMethodTests {
    static let swap = ProtoMethod<TTRPCKeyValue, TTRPCKeyValue>(
        service: "test.KeyValues", name: "Swap", serverStreaming: false, documentation: "")
    static let split = ProtoMethod<TTRPCStringList, TTRPCKeyValue>(
        service: "test.KeyValues", name: "Split", serverStreaming: true, documentation: "")

    static func router() -> Router {
        var router = Router()
        router.inline(swap) { request, _ in TTRPCKeyValue(key: request.value, value: request.key) }
        router.serverStreaming(split) { request, _, writer in
            for (index, item) in request.list.enumerated() { try await writer.send(TTRPCKeyValue(key: "\(index)", value: item)) }
        }
        return router
    }

    @Test func registeredUnderTheMethodsServiceAndName() throws {
        let router = Self.router()
        #expect(router.serviceNames == ["test.KeyValues"])
        guard case .success(let route) = router.lookup(service: "test.KeyValues", method: "Swap"),
            let fastPath = route.handler.fastPath
        else {
            Issue.record("Swap is not registered to answer on the event loop")
            return
        }
        guard
            case .answered(let answer) = try fastPath(
                TTRPCKeyValue(key: "a", value: "b").encoded(), CallContext(service: "", method: ""))
        else {
            Issue.record("Swap did not answer on the event loop")
            return
        }
        #expect(try TTRPCKeyValue(protobufBytes: answer) == TTRPCKeyValue(key: "b", value: "a"))
        guard case .success(let streaming) = router.lookup(service: "test.KeyValues", method: "Split"),
            case .serverStreaming = streaming.handler.body
        else {
            Issue.record("Split is not registered as a server-streaming method")
            return
        }
    }

    @Test func calledOverASocket() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ttrpc-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("s.sock").path
        let server = try await TTRPCServer.bind(
            configuration: .init(socketPath: path), router: Self.router(), logger: Logger(label: "test"))
        let client = try await TTRPCClient.connect(socketPath: path)

        #expect(try await client.call(Self.swap, TTRPCKeyValue(key: "k", value: "v")) == TTRPCKeyValue(key: "v", value: "k"))
        var streamed: [TTRPCKeyValue] = []
        for try await item in client.serverStream(Self.split, TTRPCStringList(list: ["x", "y"])) { streamed.append(item) }
        #expect(streamed == [TTRPCKeyValue(key: "0", value: "x"), TTRPCKeyValue(key: "1", value: "y")])
        let raw = try await client.call(Self.swap, payload: TTRPCKeyValue(key: "1", value: "2").encoded())
        #expect(try TTRPCKeyValue(protobufBytes: raw) == TTRPCKeyValue(key: "2", value: "1"))

        await client.close()
        await server.shutdown(gracePeriod: .seconds(1))
    }
}
