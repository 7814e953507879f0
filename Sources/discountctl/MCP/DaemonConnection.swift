import DiscountClient

/// The bridge's one connection to the daemon, opened on the first call and
/// shared by all (ttrpc multiplexes); opened again after it breaks.
actor DaemonConnection {
    private let socket: String
    private let options: DiscountClient.Options
    private var client: DiscountClient?

    init(socket: String, options: DiscountClient.Options) {
        self.socket = socket
        self.options = options
    }

    /// Runs `body` with the connected client. A failure other than an answer
    /// (the daemon's RPCError, or the bridge's own refusal) drops the
    /// connection for the next call.
    func call(_ body: @Sendable (DiscountClient) async throws -> String) async throws -> String {
        let client = try await connected()
        do {
            return try await body(client)
        } catch let error as RPCError where error.code != .unavailable {
            throw error
        } catch let error as any RefusedByBridge {
            throw error
        } catch {
            if self.client === client {
                self.client = nil
                await client.close()
            }
            throw error
        }
    }

    func close() async {
        await client?.close()
        client = nil
    }

    private func connected() async throws -> DiscountClient {
        if let client { return client }
        do {
            let client = try await DiscountClient.connect(socketPath: socket, options: options)
            self.client = client
            return client
        } catch {
            throw DaemonUnreachable(socket: socket, cause: "\(error)")
        }
    }
}

struct DaemonUnreachable: Error {
    let socket: String
    let cause: String
}

/// A call the bridge answers without the daemon: the connection is fine.
protocol RefusedByBridge: Error {}

extension ToolArgumentError: RefusedByBridge {}
extension ToolRefusal: RefusedByBridge {}
