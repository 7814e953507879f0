import DiscountProto
import TTRPC

/// `discountd.v1.Health`: answered on the event loop, no I/O, no token needed,
/// so supervisors can probe a daemon however loaded it is.
public struct HealthService: Sendable {
    private let isServing: @Sendable () -> Bool

    public init(isServing: @escaping @Sendable () -> Bool = { true }) {
        self.isServing = isServing
    }

    public func register(in router: inout Router) {
        router.inline(HealthRPC.check) { [isServing] (_: HealthCheckRequest, _) in
            HealthCheckResponse(status: isServing() ? .serving : .notServing)
        }
    }
}
