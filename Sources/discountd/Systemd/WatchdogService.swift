import Logging
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Sends WATCHDOG=1 at half of systemd's `WatchdogSec=` (`WATCHDOG_USEC`) from
/// READY on, until the other services have stopped: it is the first service of
/// the group, so graceful shutdown reaches it last and the pings go on while
/// calls drain. A daemon that stops pinging is restarted by systemd.
struct WatchdogService: Service {
    let notifier: SystemdNotifier
    let interval: Duration
    let logger: Logger

    /// Nil unless systemd asked for pings: `WATCHDOG_USEC` set and `WATCHDOG_PID`, if set, naming this process.
    init?(notifier: SystemdNotifier, logger: Logger) {
        guard let micros = env("WATCHDOG_USEC").flatMap(Int64.init), micros > 0 else { return nil }
        if let pid = env("WATCHDOG_PID"), pid_t(pid) != getpid() { return nil }
        self.notifier = notifier
        self.interval = .microseconds(micros / 2)
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await notifier.untilReady()
            while !Task.isCancelled {
                do {
                    try notifier.watchdog()
                } catch {
                    logger.warning("watchdog ping", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
