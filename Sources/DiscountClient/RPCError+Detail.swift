import TTRPC

extension RPCError {
    /// The `ErrorDetail` discountd attaches to every error it raises, if any.
    public var detail: ErrorDetail? {
        details.lazy.compactMap { try? $0.unpack(ErrorDetail.self) }.first
    }
}
