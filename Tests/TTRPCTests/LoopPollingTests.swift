import Testing

@testable import TTRPC

/// An event loop polls for the answer to the server's only call in flight
/// when that call is placed on it, and never beside other calls (`LoopPolling`).
extension LiveServerTests {
    @Test func aLoneCallPlacedOnTheLoopIsAwaitedByAPollingLoop() async throws {
        try await withServer { server, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            // Its body waits once (1 ms, longer than a poll): one poll, over by then.
            #expect(try await client.call(service: "test.Where", method: "Loop", payload: []) == [1, 1])
            #expect(server.polling.polls == 1)
            // On the global pool: nothing to poll for.
            #expect(try await client.call(service: "test.Where", method: "Pool", payload: []) == [0, 0])
            #expect(server.polling.polls == 1)
            #expect(server.polling.calls == 0)
            await client.close()
        }
    }

    @Test func noLoopPollsWhileAnotherCallIsInFlight() async throws {
        try await withServer { server, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            async let held = client.call(service: "test.Echo", method: "Held", payload: [1])
            while server.polling.calls == 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(try await client.call(service: "test.Where", method: "Loop", payload: []) == [1, 1])
            #expect(server.polling.polls == 0)
            #expect(try await held == [1])
            await client.close()
        }
    }

    /// A call answered DEADLINE_EXCEEDED still ends its task: the count must
    /// come back to zero, or no loop would poll again.
    @Test func callsPastTheirDeadlineLeaveNothingCounted() async throws {
        try await withServer { server, path in
            let client = try await TTRPCClient.connect(socketPath: path)
            await #expect(throws: RPCError.self) {
                _ = try await client.call(service: "test.Echo", method: "Slow", payload: [10], timeout: .milliseconds(20))
            }
            // Its task ends when its 100 ms body does (or sooner, cancelled).
            for _ in 0..<400 where server.polling.calls > 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(server.polling.calls == 0)
            #expect(try await client.call(service: "test.Where", method: "Loop", payload: []) == [1, 1])
            #expect(server.polling.polls == 1)
            await client.close()
        }
    }
}
