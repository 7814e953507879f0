/// Runs `body`, then `cleanup` whether `body` threw or not: `defer` cannot await, and daemons, clients and fakes
/// stop asynchronously.
func withCleanup<Result>(_ body: () async throws -> Result, then cleanup: () async -> Void) async throws -> Result {
    let result: Result
    do {
        result = try await body()
    } catch {
        await cleanup()
        throw error
    }
    await cleanup()
    return result
}
