#if canImport(Glibc)
import Glibc
#endif

/// A variable systemd set for the service (LISTEN_FDS, NOTIFY_SOCKET,
/// WATCHDOG_USEC …); nil when unset or empty.
func environment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    let string = String(cString: value)
    return string.isEmpty ? nil : string
}
