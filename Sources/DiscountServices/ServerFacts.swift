/// What the daemon says about itself in Admin.ServerInfo.
public struct ServerFacts: Sendable {
    public var version: String
    public var backend: String
    public var socketPath: String
    public var startedAt: ContinuousClock.Instant
    public var startedAtUnix: (seconds: Int64, nanos: Int32)

    public init(version: String, backend: String, socketPath: String) {
        self.version = version
        self.backend = backend
        self.socketPath = socketPath
        self.startedAt = .now
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        self.startedAtUnix = (Int64(now.tv_sec), Int32(now.tv_nsec))
    }
}

#if canImport(Glibc)
import Glibc
#endif
