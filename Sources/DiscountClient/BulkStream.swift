import DiscountProto

/// A message of a bulk call's stream: progress messages, then one with the result.
protocol BulkStreamMessage: Sendable {
    associatedtype Result
    var progress: BulkProgress? { get }
    var result: Result? { get }
}

extension BatchCreateDiscountCodesResponse: BulkStreamMessage {}
extension AddVoucherCodesResponse: BulkStreamMessage {}

/// Reads a bulk call's stream to its end, handing each progress message to `progress`; returns the result.
func bulkResult<Message: BulkStreamMessage>(
    of stream: AsyncThrowingStream<Message, any Error>, method: String, progress: (BulkProgress) async throws -> Void
) async throws -> Message.Result {
    var result: Message.Result?
    for try await message in stream {
        if let update = message.progress { try await progress(update) }
        if let final = message.result { result = final }
    }
    guard let result else { throw RPCError(.internal, "\(method) ended without a result") }
    return result
}
