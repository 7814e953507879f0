import DiscountClient
import Foundation
import Testing

/// How the daemon reaches Shopify: HTTPS only to a certificate it trusts (the
/// system's roots, plus --shopify-ca-file / DISCOUNTD_SHOPIFY_CA_FILE), and
/// the Admin API version in the URL.
@Suite struct ShopifyTransportTests {
    private func firstCode(_ client: DiscountClient) async throws -> AgentDiscountCode {
        try await client.connectShop()
        let agent = try await client.registerAgent(name: "Acme")
        return try await client.myCode(agent.agentId, try await client.makeCampaign())
    }

    @Test func privateCAFromTheFlagIsTrusted() async throws {
        try await withShopify { _, client, fake in
            let code = try await firstCode(client)
            #expect(code.shopifySyncStatus == "synced")
            #expect(fake.discount(code: code.discountCode) != nil)
        }
    }

    @Test func privateCAFromTheEnvironmentIsTrusted() async throws {
        let fake = try await FakeShopify.start()
        defer { Task { await fake.stop() } }
        let daemon = try await DaemonProcess.start(
            arguments: shopifyArguments(fake, trustingItsCA: false),
            environment: ["DISCOUNTD_SHOPIFY_CA_FILE": fake.caFile])
        defer { daemon.remove() }
        let client = try await daemon.client()
        let code = try await firstCode(client)
        #expect(code.shopifySyncStatus == "synced")
        await client.close()
        await daemon.stop()
    }

    /// Refused at the handshake: the daemon connected, sent no request, and
    /// the code comes back unsynced with the catch-all error code.
    private func expectRefused(_ code: AgentDiscountCode, _ fake: FakeShopify) {
        #expect(code.shopifySyncStatus == "failed" && code.shopifySyncError == "unexpected_shopify_discount_error")
        #expect(fake.connections == 1, "one handshake, not tried again: the certificate will not change")
        #expect(fake.received.isEmpty, "nothing was sent over an untrusted connection")
        #expect(fake.discountCount == 0)
    }

    @Test func aPrivateCAIsNotTrustedWithoutTheFlag() async throws {
        try await withShopify(trustingItsCA: false) { _, client, fake in
            expectRefused(try await firstCode(client), fake)
        }
    }

    @Test func aSelfSignedCertificateIsRefused() async throws {
        try await withShopify(presenting: .selfSigned) { _, client, fake in
            expectRefused(try await firstCode(client), fake)
        }
    }

    @Test func aCertificateForAnotherHostIsRefused() async throws {
        try await withShopify(presenting: .issuedForAnotherHost) { _, client, fake in
            expectRefused(try await firstCode(client), fake)
        }
    }

    @Test func defaultAPIVersionIsACurrentStableOne() async throws {
        try await withShopify { _, client, fake in
            _ = try await firstCode(client)
            #expect(!fake.received.isEmpty)
            #expect(fake.received.allSatisfy { $0.apiVersion == "2026-10" }, "\(fake.received.map(\.apiVersion))")
        }
    }

    @Test func apiVersionIsConfigurable() async throws {
        try await withShopify(extraArguments: ["--shopify-api-version", "2026-07"]) { _, client, fake in
            let code = try await firstCode(client)
            #expect(code.shopifySyncStatus == "synced")
            #expect(fake.received.map(\.apiVersion) == ["2026-07"])
        }
    }

    @Test(arguments: [
        (["--shopify-ca-file", "/nonexistent/ca.pem"], "--shopify-ca-file"),
        (["--shopify-ca-file", "<a file that is not PEM>"], "--shopify-ca-file"),
        (["--shopify-api-version", "latest"], "--shopify-api-version"),
    ])
    func badShopifyFlagsStopTheDaemonAtStart(arguments: [String], named flag: String) async throws {
        let notPEM = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-ca-\(UUID().uuidString.prefix(8)).pem")
        try Data("just some text\n".utf8).write(to: notPEM)
        defer { try? FileManager.default.removeItem(at: notPEM) }
        let daemon = try DaemonProcess(arguments: arguments.map { $0 == "<a file that is not PEM>" ? notPEM.path : $0 })
        defer { daemon.remove() }
        do {
            try await daemon.start()
            await daemon.stop()
            Issue.record("discountd started with \(arguments)")
        } catch DaemonProcess.DaemonError.didNotStart(let stderr) {
            #expect(stderr.contains(flag), "\(stderr)")
        }
    }
}
