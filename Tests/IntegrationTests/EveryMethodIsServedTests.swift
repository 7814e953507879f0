import DiscountClient
import DiscountTestSupport
import TTRPC
import Testing

/// Every method proto/ declares (the generated descriptors) has a route in the
/// daemon: called with an empty request it may be refused, never UNIMPLEMENTED.
@Suite struct EveryMethodIsServedTests {
    @Test func everyMethodOfProtoHasARoute() async throws {
        try await withInProcessDaemon { daemon in
            let raw = try await TTRPCClient.connect(socketPath: daemon.socketPath)
            for method in ProtoServiceDescriptor.all.flatMap(\.methods) {
                do {
                    if method.serverStreaming {
                        for try await _ in raw.serverStream(service: method.service, method: method.name, payload: []) {}
                    } else {
                        _ = try await raw.call(service: method.service, method: method.name, payload: [])
                    }
                } catch let error as RPCError {
                    #expect(error.code != .unimplemented, "\(method.service)/\(method.name): \(error)")
                }
            }
            // And the check can tell: a method proto/ does not declare is not served.
            await #expect {
                _ = try await raw.call(service: HealthRPC.serviceName, method: "Nope", payload: [])
            } throws: { ($0 as? RPCError)?.code == .unimplemented }
            await raw.close()
        }
    }
}
