import CJemalloc

#if canImport(Glibc)
import Glibc
#endif

/// Which malloc serves the process. discountd links jemalloc ahead of the C
/// library: glibc's arenas and per-thread caches lose to objects allocated on
/// an event loop and freed on the store's threads (BENCHMARKS.md, session 19).
/// Linked is not proof: the dynamic linker takes `malloc` from whichever
/// library comes first, so this asks jemalloc whether it counted a `malloc`.
enum ProcessMalloc {
    /// "jemalloc <version>" when jemalloc served an allocation made through
    /// `malloc`; nil when another malloc did.
    static func jemallocServingMalloc() -> String? {
        // The process's `malloc` as every library finds it. Called through the
        // pointer, so the compiler cannot drop the allocation as unused.
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc"),
            let before = allocatedByThisThread()
        else { return nil }
        let malloc = unsafeBitCast(symbol, to: (@convention(c) (Int) -> UnsafeMutableRawPointer?).self)
        let probeSize = 4096
        guard let probe = malloc(probeSize) else { return nil }
        let after = allocatedByThisThread()
        free(probe)
        guard let after, after - before >= UInt64(probeSize) else { return nil }
        return "jemalloc " + version()
    }

    /// The bytes jemalloc has handed this thread so far (nil: no jemalloc statistics).
    private static func allocatedByThisThread() -> UInt64? {
        var value: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        return mallctl("thread.allocated", &value, &size, nil, 0) == 0 ? value : nil
    }

    private static func version() -> String {
        var text: UnsafePointer<CChar>?
        var size = MemoryLayout<UnsafePointer<CChar>?>.size
        guard mallctl("version", &text, &size, nil, 0) == 0, let text else { return "(version unknown)" }
        // "5.3.0-0-g54eaed1…": the release, not the commit.
        return String(String(cString: text).prefix { $0 != "-" })
    }
}
