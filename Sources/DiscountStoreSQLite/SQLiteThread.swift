import DiscountCore
import DiscountStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Starts a detached OS thread (not one of the Swift concurrency pool's) that
/// runs `body` and ends with it. The store's writer, checkpointer and
/// acknowledger wait on fsync and on condition variables for as long as there
/// is nothing to do: that would take a pool thread away from every task.
/// Reads are different: they run on the calling task (`SQLiteReaderPool`) and
/// do block its pool thread, for the microseconds a point read takes from the
/// page cache; a hop to a thread of their own would cost more than that.
func spawnThread(named name: String, _ body: @escaping @Sendable () -> Void) throws {
    final class Start: Sendable {
        let name: String
        let body: @Sendable () -> Void
        init(name: String, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
    let context = Unmanaged.passRetained(Start(name: name, body: body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
        &thread, nil,
        { argument in
            let pointer: UnsafeMutableRawPointer? = argument
            let start = Unmanaged<Start>.fromOpaque(pointer!).takeRetainedValue()
            #if os(Linux)
            _ = setThreadName(pthread_self(), String(start.name.prefix(15)))
            #endif
            start.body()
            return nil
        }, context)
    guard rc == 0 else {
        Unmanaged<Start>.fromOpaque(context).release()
        throw StoreError.failure("cannot start thread \(name): \(String(cString: strerror(rc)))")
    }
    pthread_detach(thread)
}

#if os(Linux)
/// glibc's pthread_setname_np, which the Glibc module hides behind _GNU_SOURCE:
/// names the thread in top, perf and gdb (at most 15 bytes).
@_silgen_name("pthread_setname_np")
private func setThreadName(_ thread: pthread_t, _ name: UnsafePointer<CChar>) -> Int32
#endif
