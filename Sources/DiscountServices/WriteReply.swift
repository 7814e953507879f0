import DiscountStore
import ProtoCodec
import TTRPC

/// The typed answer of a handed-off write (`MethodRegistrar.write(handOff:)`):
/// called once, from the store's commit callback.
struct WriteReply<Response: ProtoMessage>: Sendable {
    private let reply: CallReply

    init(_ reply: CallReply) {
        self.reply = reply
    }

    /// The call's deadline, for the store: a write still queued then is skipped.
    var deadline: WriteDeadline { WriteDeadline(uptimeNanoseconds: reply.deadline.uptimeNanoseconds) }

    /// Answers from a store's completion without working on its thread: on
    /// success `respond` (cache updates, the response) runs on the event loop;
    /// a failure is mapped and sent as is.
    func complete<Value: Sendable>(
        _ result: Result<Value, any Error>, _ respond: @escaping @Sendable (Value) throws -> Response
    ) {
        switch result {
        case .success(let value):
            reply.finishOnLoop { try respond(value).encoded() }
        case .failure(let error):
            fail(error)
        }
    }

    /// Fails with the service error a store error stands for (as `storing` does on the full path).
    func fail(_ error: any Error) {
        if let storeError = error as? StoreError {
            reply.fail(ServiceError.from(storeError))
        } else {
            reply.fail(error)
        }
    }
}
