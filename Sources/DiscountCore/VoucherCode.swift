/// One code of a voucher pool.
public struct VoucherCode: Sendable, Hashable, Codable {
    /// As given (trimmed).
    public var code: String
    public var status: VoucherStatus
    /// 1-based position in its pool, in the order codes were added: pages
    /// and exports follow it.
    public var sequence: Int64
    public var customerID: String?
    public var usedBy: String?
    public var assignedAt: Instant?
    public var redeemedAt: Instant?

    public init(
        code: String, status: VoucherStatus, sequence: Int64, customerID: String? = nil, usedBy: String? = nil,
        assignedAt: Instant? = nil, redeemedAt: Instant? = nil
    ) {
        self.code = code
        self.status = status
        self.sequence = sequence
        self.customerID = customerID
        self.usedBy = usedBy
        self.assignedAt = assignedAt
        self.redeemedAt = redeemedAt
    }
}

/// A code text ready to store: as given (trimmed) and its case-insensitive key.
public struct VoucherCodeText: Sendable, Hashable {
    public var code: String
    public var canonical: String

    public init(_ code: String) {
        self.code = code
        self.canonical = CodeText.canonical(code)
    }
}

/// What an import of codes into a pool did.
public struct VoucherAddResult: Sendable, Hashable {
    public var added: Int64
    /// Codes the project already had (in this or another pool), not added.
    public var duplicates: Int64

    public init(added: Int64 = 0, duplicates: Int64 = 0) {
        self.added = added
        self.duplicates = duplicates
    }
}

/// AssignVoucherCode as the store runs it.
public struct VoucherAssignment: Sendable, Hashable {
    public var projectID: String
    public var poolID: String
    public var customerID: String
    /// Empty when the caller gave none.
    public var usedBy: String
    public var at: Instant

    public init(projectID: String, poolID: String, customerID: String, usedBy: String, at: Instant) {
        self.projectID = projectID
        self.poolID = poolID
        self.customerID = customerID
        self.usedBy = usedBy
        self.at = at
    }
}

public enum VoucherAssignmentOutcome: Sendable, Hashable {
    /// A code that was available is now this customer's.
    case assigned(VoucherCode)
    /// The customer (with this used_by) already had this code.
    case alreadyAssigned(VoucherCode)
    case poolExhausted
    case poolNotFound
}

public enum VoucherRedemptionOutcome: Sendable, Hashable {
    case redeemed(VoucherCode)
    case alreadyRedeemed(VoucherCode)
    /// Still available: only an assigned code can be redeemed.
    case notAssigned(VoucherCode)
    case codeNotFound
}
