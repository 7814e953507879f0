#if canImport(Glibc)
import Glibc
#endif

/// Test hooks, off unless the environment names them. They let tests prove
/// what a crash at an exact point does, which no signal can time.
enum FaultInjection {
    /// `DISCOUNTD_TEST_CRASH_AFTER_COMMIT=service/method`: the process dies
    /// right after that method's write commits, before its answer is sent.
    static let crashAfterCommit: String? = {
        guard let value = getenv("DISCOUNTD_TEST_CRASH_AFTER_COMMIT") else { return nil }
        return String(cString: value)
    }()

    static func afterCommit(service: String, method: String) {
        guard let crashAfterCommit, crashAfterCommit == "\(service)/\(method)" else { return }
        _exit(86)
    }
}
