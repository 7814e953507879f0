import DiscountProto
import DiscountServices
import DiscountStore
import DiscountStoreSQLite
import Foundation
import FuzzSupport
import Logging
import ProtoCodec
import TTRPC

/// libFuzzer target: every discountd.v1 method, run through the real router
/// and services over a real (temporary) SQLite store, so that a trap anywhere
/// in a handler (a conversion, an overflow, a force unwrap) is a finding.
///
/// The first input byte picks the method (modulo their count, sorted by
/// service then method name, as scripts/fuzz-seed numbers its seeds); the rest
/// is the request payload, sent as the daemon's own socket would receive it.
/// Any answer, OK or an error status, is fine; the process dying is not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRouter(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let method = Harness.methods[Int(data[0]) % Harness.methods.count]
    let payload = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    Harness.shared.run(method, payload)
    return 0
}

/// One daemon's router on a temporary socket and store, made once per process.
final class Harness: Sendable {
    static let methods: [ProtoMethodDescriptor] = ProtoServiceDescriptor.all.flatMap(\.methods)
        .sorted { ($0.service, $0.name) < ($1.service, $1.name) }
    static let shared = Harness()

    let client: TTRPCClient

    init() {
        LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("discountd-fuzz-router-\(getpid())").path
        try? FileManager.default.removeItem(atPath: folder)
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let socketPath = folder + "/d.sock"
        client = Self.blocking {
            let store = try SQLiteStore.open(path: folder + "/discountd.sqlite")
            let router = DiscountRouter.make(
                facts: ServerFacts(version: "fuzz", backend: store.backendName, socketPath: socketPath), store: store,
                options: .init(requireAuth: false, ownerUID: getuid(), cacheCapacity: 1000))
            var configuration = TTRPCServer.Configuration(socketPath: socketPath)
            configuration.limits.defaultTimeout = .seconds(5)
            let server = try await TTRPCServer.bind(configuration: configuration, router: router, logger: Logger(label: "fuzz"))
            Task { await server.run() }
            return try await TTRPCClient.connect(socketPath: socketPath)
        }
    }

    func run(_ method: ProtoMethodDescriptor, _ payload: [UInt8]) {
        guard Self.isBounded(method, payload) else { return }
        let client = self.client
        Self.blocking {
            if method.serverStreaming {
                for try await _ in client.serverStream(
                    service: method.service, method: method.name, payload: payload, timeout: .seconds(5))
                {}
            } else {
                _ = try await client.call(
                    service: method.service, method: method.name, payload: payload, timeout: .seconds(5))
            }
        } onError: { error in
            // Statuses are answers. Only a lost connection means the server side broke.
            guard error is RPCError else { fatalError("\(method.service)/\(method.name): \(error)") }
        }
    }

    /// Bulk requests that would store up to a million codes are legal but take
    /// minutes under AddressSanitizer; the fuzzer runs them at a size it can afford.
    static func isBounded(_ method: ProtoMethodDescriptor, _ payload: [UInt8]) -> Bool {
        switch method.requestType {
        case let type as BatchCreateDiscountCodesRequest.Type:
            guard let request = try? type.init(protobufBytes: payload) else { return true }
            return request.codes.count <= 2_000 && (request.generator?.count ?? 0) <= 2_000
        case let type as AddVoucherCodesRequest.Type:
            guard let request = try? type.init(protobufBytes: payload) else { return true }
            return request.codes.count <= 2_000 && (request.generator?.count ?? 0) <= 2_000
        default:
            return true
        }
    }

    @discardableResult
    static func blocking<T: Sendable>(
        _ body: @escaping @Sendable () async throws -> T,
        onError: @escaping @Sendable (any Error) -> Void = { fatalError("harness: \($0)") }
    ) -> T? {
        let done = DispatchSemaphore(value: 0)
        let result = LockedBox<T?>(nil)
        Task {
            do { result.value = try await body() } catch { onError(error) }
            done.signal()
        }
        done.wait()
        return result.value
    }

    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) -> T {
        blocking(body, onError: { fatalError("harness: \($0)") })!
    }
}

/// A value handed from a task to the thread waiting for it.
final class LockedBox<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

exit(runLibFuzzer { data, size in fuzzRouter(data ?? UnsafePointer(bitPattern: 1)!, size) })
