import DiscountCore
import DiscountStore

private enum SQL {
    static let byID = "SELECT \(CommissionRows.orderColumns) FROM commission_orders WHERE project_id = ?1 AND order_id = ?2"
    static let matchCode = """
        SELECT a.agent_id, a.campaign_id, a.code FROM agent_codes a WHERE a.project_id = ?1 AND a.canonical_code = ?2
        """
    static let seeWebhook = """
        INSERT INTO shopify_webhooks (project_id, webhook_id, received_at) VALUES (?1, ?2, ?3)
        ON CONFLICT (project_id, webhook_id) DO NOTHING
        """
    static let projectByShop =
        "SELECT project_id FROM shopify_credentials WHERE shop_domain = ?1 ORDER BY updated_at DESC LIMIT 1"
    static let commissionPercent = "SELECT commission_percent FROM campaigns WHERE id = ?1"
    static let upsert = """
        INSERT INTO commission_orders (\(CommissionRows.orderColumns), created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)
        ON CONFLICT (project_id, order_id) DO UPDATE SET subtotal = excluded.subtotal, currency = excluded.currency,
            occurred_at = excluded.occurred_at, status = excluded.status, commission = excluded.commission,
            updated_at = excluded.updated_at
        """
    /// Orders that still stand (pending or paid); sales and commission of paid ones.
    static let figures = """
        SELECT o.campaign_id, c.name, o.currency,
            sum(o.status IN ('pending', 'paid')), sum(CASE WHEN o.status = 'paid' THEN o.subtotal ELSE 0 END),
            sum(o.commission)
        FROM commission_orders o JOIN campaigns c ON c.id = o.campaign_id
        WHERE o.project_id = ?1 AND o.agent_id = ?2 AND o.occurred_at >= ?3 AND o.occurred_at < ?4
        GROUP BY o.campaign_id, o.currency ORDER BY o.campaign_id, o.currency
        """
}

extension SQLiteStore {
    public func recordOrder(
        _ order: OrderInput, options: WriteOptions<(OrderAttribution, created: Bool)>
    ) async throws -> (OrderAttribution, created: Bool) {
        try await write(options: options) { db in try Self.recordOrder(order, db) }
    }

    public func recordWebhookOrder(_ order: OrderInput, webhookID: String) async throws -> (OrderAttribution, created: Bool)? {
        try await write { db in
            let fresh = try db.withStatement(SQL.seeWebhook) { s in
                try s.bindAll(order.projectID, webhookID, order.at)
                try s.run()
                return s.changes > 0
            }
            // The delivery row and the order commit together: a delivery that
            // failed to record is not mistaken for a duplicate when it comes again.
            return fresh ? try Self.recordOrder(order, db) : nil
        }
    }

    public func projectID(shopDomain: String) async throws -> String? {
        try read { db in
            try db.withStatement(SQL.projectByShop) { s in
                try s.bind(1, shopDomain.lowercased())
                return try s.step() ? s.string(0) : nil
            }
        }
    }

    private static func recordOrder(_ order: OrderInput, _ db: SQLiteConnection) throws -> (OrderAttribution, created: Bool) {
        let existing = try db.withStatement(SQL.byID) { s in
            try s.bindAll(order.projectID, order.orderID)
            return try s.step() ? CommissionRows.order(s) : nil
        }
        // A known order keeps its attribution: the codes of a replay or a
        // status change do not move the sale to another agent.
        var attribution = existing ?? OrderAttribution(unattributed: order)
        if existing == nil {
            for text in order.codes {
                let match = try db.withStatement(SQL.matchCode) { s in
                    try s.bindAll(order.projectID, CodeText.canonical(text))
                    return try s.step() ? (s.int64(0), s.int64(1), s.string(2)) : nil
                }
                if let match {
                    (attribution.agentID, attribution.campaignID, attribution.matchedCode) = match
                    break
                }
            }
        }
        attribution.subtotal = order.subtotal
        attribution.currency = order.currency
        attribution.occurredAt = order.occurredAt
        attribution.state = order.state
        if let campaignID = attribution.campaignID {
            let percent = try db.withStatement(SQL.commissionPercent) { s in
                try s.bind(1, campaignID)
                return try s.step() ? s.double(0) : 0
            }
            attribution.commission = OrderAttribution.commission(
                subtotal: order.subtotal, percent: percent, state: order.state)
        } else {
            attribution.commission = 0
        }
        if attribution == existing { return (attribution, false) }
        try db.withStatement(SQL.upsert) { s in
            try s.bindAll(
                attribution.projectID, attribution.orderID, attribution.agentID, attribution.campaignID, attribution.matchedCode,
                attribution.subtotal, attribution.currency, attribution.occurredAt, attribution.state.rawValue,
                attribution.commission, order.at)
            try s.run()
        }
        return (attribution, existing == nil)
    }

    public func commissions(
        projectID: String, agentID: Int64, since: Instant?, until: Instant?
    ) async throws -> [CommissionFigures] {
        try read { db in
            try db.withStatement(SQL.figures) { s in
                try s.bindAll(projectID, agentID, since ?? Instant(microseconds: .min), until ?? Instant(microseconds: .max))
                var figures: [CommissionFigures] = []
                while try s.step() {
                    figures.append(
                        CommissionFigures(
                            campaignID: s.int64(0), campaignName: s.string(1), currency: s.string(2), orders: s.int64(3),
                            sales: s.int64(4), commission: s.int64(5)))
                }
                return figures
            }
        }
    }
}

extension SQLiteStore: CommissionStore {}
