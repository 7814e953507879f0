import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore: CommissionStore {
    public func recordOrder(
        _ order: OrderInput, options: WriteOptions<(OrderAttribution, created: Bool)>
    ) async throws -> (OrderAttribution, created: Bool) {
        try await write(options: options) { transaction in try await Self.recordOrder(order, &transaction) }
    }

    /// The delivery row and the order commit together: a delivery that failed
    /// to record is not mistaken for a duplicate when it comes again.
    public func recordWebhookOrder(_ order: OrderInput, webhookID: String) async throws -> (OrderAttribution, created: Bool)? {
        try await write { transaction in
            let fresh = try await transaction.rows(
                """
                INSERT INTO shopify_webhooks (project_id, webhook_id, received_at) VALUES (\(order.projectID), \(webhookID), \(order.at))
                ON CONFLICT (project_id, webhook_id) DO NOTHING
                RETURNING 1
                """)
            return fresh.isEmpty ? nil : try await Self.recordOrder(order, &transaction)
        }
    }

    public func projectID(shopDomain: String) async throws -> String? {
        try await rows(
            """
            SELECT project_id FROM shopify_credentials WHERE shop_domain = \(shopDomain.lowercased())
            ORDER BY updated_at DESC LIMIT 1
            """
        ).first?.decode(String.self)
    }

    /// A known order keeps its attribution: the codes of a replay or a status
    /// change do not move the sale to another agent. A new one is inserted
    /// with ON CONFLICT DO NOTHING; losing that race (another daemon recorded
    /// it meanwhile) makes it a known order, locked and updated.
    private static func recordOrder(
        _ order: OrderInput, _ transaction: inout WriteTransaction
    ) async throws -> (OrderAttribution, created: Bool) {
        while true {
            let existing = try await transaction.rows(
                """
                SELECT \(unescaped: PostgresRows.orderColumns) FROM commission_orders
                WHERE project_id = \(order.projectID) AND order_id = \(order.orderID) FOR UPDATE
                """
            ).first.map { try $0.read(PostgresRows.order) }
            var attribution = existing ?? OrderAttribution(unattributed: order)
            if existing == nil, !order.codes.isEmpty {
                // The first of the order's codes that is an agent code.
                let keys = order.codes.map(CodeText.canonical)
                if let match = try await transaction.rows(
                    """
                    SELECT a.agent_id, a.campaign_id, a.code
                    FROM unnest(\(keys)::text[]) WITH ORDINALITY AS k (canonical_code, ord)
                    JOIN agent_codes a ON a.project_id = \(order.projectID) AND a.canonical_code = k.canonical_code
                    ORDER BY k.ord LIMIT 1
                    """
                ).first {
                    (attribution.agentID, attribution.campaignID, attribution.matchedCode) =
                        try match.decode((Int64, Int64, String).self)
                }
            }
            attribution.subtotal = order.subtotal
            attribution.currency = order.currency
            attribution.occurredAt = order.occurredAt
            attribution.state = order.state
            if let campaignID = attribution.campaignID {
                let percent =
                    try await transaction.rows("SELECT commission_percent FROM campaigns WHERE id = \(campaignID)")
                    .first?.decode(Double.self) ?? 0
                attribution.commission = OrderAttribution.commission(
                    subtotal: order.subtotal, percent: percent, state: order.state)
            } else {
                attribution.commission = 0
            }
            if attribution == existing { return (attribution, false) }
            let a = attribution
            if existing == nil {
                let inserted = try await transaction.rows(
                    """
                    INSERT INTO commission_orders (\(unescaped: PostgresRows.orderColumns), created_at, updated_at)
                    VALUES (\(a.projectID), \(a.orderID), \(a.agentID), \(a.campaignID), \(a.matchedCode), \(a.subtotal),
                        \(a.currency), \(a.occurredAt), \(a.state.rawValue), \(a.commission), \(order.at), \(order.at))
                    ON CONFLICT (project_id, order_id) DO NOTHING
                    RETURNING 1
                    """)
                if inserted.isEmpty { continue }
            } else {
                try await transaction.rows(
                    """
                    UPDATE commission_orders SET subtotal = \(a.subtotal), currency = \(a.currency),
                        occurred_at = \(a.occurredAt), status = \(a.state.rawValue), commission = \(a.commission),
                        updated_at = \(order.at)
                    WHERE project_id = \(a.projectID) AND order_id = \(a.orderID)
                    """)
            }
            transaction.changed(.order, order.projectID, order.orderID)
            return (attribution, existing == nil)
        }
    }

    /// Per campaign and currency: orders that still stand (pending or paid);
    /// sales and commission of paid ones.
    public func commissions(
        projectID: String, agentID: Int64, since: Instant?, until: Instant?
    ) async throws -> [CommissionFigures] {
        try await rows(
            """
            SELECT o.campaign_id, c.name, o.currency,
                count(*) FILTER (WHERE o.status IN ('pending', 'paid')),
                coalesce(sum(o.subtotal) FILTER (WHERE o.status = 'paid'), 0)::bigint,
                coalesce(sum(o.commission), 0)::bigint
            FROM commission_orders o JOIN campaigns c ON c.id = o.campaign_id
            WHERE o.project_id = \(projectID) AND o.agent_id = \(agentID)
                AND (\(since)::timestamptz IS NULL OR o.occurred_at >= \(since))
                AND (\(until)::timestamptz IS NULL OR o.occurred_at < \(until))
            GROUP BY o.campaign_id, c.name, o.currency ORDER BY o.campaign_id, o.currency
            """
        ).map { row in
            var r = row.reader()
            return CommissionFigures(
                campaignID: try r.next(), campaignName: try r.next(), currency: try r.next(), orders: try r.next(),
                sales: try r.next(), commission: try r.next())
        }
    }
}
