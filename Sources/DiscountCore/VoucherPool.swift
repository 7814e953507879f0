/// A pool of pre-made voucher codes handed out one at a time (DESIGN.md §1).
///
/// The counts are kept by the store with every write that changes a code's
/// state, so they are exact at every moment: `total == available + assigned + redeemed`.
public struct VoucherPool: Sendable, Hashable, Codable {
    public var id: String
    public var projectID: String
    /// Unique in the project.
    public var name: String
    public var total: Int64
    public var available: Int64
    public var assigned: Int64
    public var redeemed: Int64
    public var createdAt: Instant

    public init(
        id: String, projectID: String, name: String, total: Int64 = 0, available: Int64 = 0,
        assigned: Int64 = 0, redeemed: Int64 = 0, createdAt: Instant
    ) {
        self.id = id
        self.projectID = projectID
        self.name = name
        self.total = total
        self.available = available
        self.assigned = assigned
        self.redeemed = redeemed
        self.createdAt = createdAt
    }

    /// How many codes of `status` the pool holds (all of them for nil).
    public func count(of status: VoucherStatus?) -> Int64 {
        switch status {
        case nil: total
        case .available: available
        case .assigned: assigned
        case .redeemed: redeemed
        }
    }
}

/// Where a voucher code is in its one-way life: available → assigned → redeemed.
public enum VoucherStatus: Int64, Sendable, Hashable, Codable, CaseIterable {
    case available = 1
    case assigned = 2
    case redeemed = 3
}
