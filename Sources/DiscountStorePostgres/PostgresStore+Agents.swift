import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    /// Get-or-create: INSERT … ON CONFLICT DO NOTHING RETURNING, then a SELECT
    /// for the one that was there (or that a racing daemon just committed).
    public func registerAgent(
        projectID: String, name: String, contact: String?, at: Instant, options: WriteOptions<(Agent, created: Bool)>
    ) async throws -> (Agent, created: Bool) {
        try await write(options: options) { transaction in
            if let row = try await transaction.rows(
                """
                INSERT INTO agents (project_id, name, contact, registered_at) VALUES (\(projectID), \(name), \(contact), \(at))
                ON CONFLICT (project_id, name) DO NOTHING
                RETURNING \(unescaped: PostgresRows.agentColumns)
                """
            ).first {
                var r = row.reader()
                let agent = try PostgresRows.agent(&r)
                transaction.changed(.agent, projectID, String(agent.id))
                return (agent, true)
            }
            guard
                let row = try await transaction.rows(
                    """
                    SELECT \(unescaped: PostgresRows.agentColumns) FROM agents WHERE project_id = \(projectID) AND name = \(name)
                    """
                ).first
            else { throw StoreError.failure("agent \(name) vanished") }
            var r = row.reader()
            return (try PostgresRows.agent(&r), false)
        }
    }

    public func agent(projectID: String, id: Int64) async throws -> Agent? {
        try await rows(
            """
            SELECT \(unescaped: PostgresRows.agentColumns) FROM agents WHERE project_id = \(projectID) AND id = \(id)
            """
        ).first.map { try $0.read(PostgresRows.agent) }
    }

    public func insertCampaign(_ campaign: Campaign, options: WriteOptions<Campaign>) async throws -> Campaign {
        try await write(options: options) { transaction in
            guard
                let id = try await transaction.rows(
                    """
                    INSERT INTO campaigns (project_id, name, discount_percent, commission_percent, starts_at, ends_at, created_at,
                        updated_at)
                    VALUES (\(campaign.projectID), \(campaign.name), \(campaign.discountPercent), \(campaign.commissionPercent),
                        \(campaign.startsAt), \(campaign.endsAt), \(campaign.createdAt), \(campaign.updatedAt))
                    RETURNING id
                    """
                ).first?.decode(Int64.self)
            else { throw StoreError.failure("campaign insert returned no id") }
            transaction.changed(.campaign, campaign.projectID, String(id))
            var stored = campaign
            stored.id = id
            return stored
        }
    }

    public func campaign(projectID: String, id: Int64) async throws -> Campaign? {
        try await rows(
            """
            SELECT \(unescaped: PostgresRows.campaignColumns) FROM campaigns WHERE project_id = \(projectID) AND id = \(id)
            """
        ).first.map { try $0.read(PostgresRows.campaign) }
    }

    public func updateCampaign(_ campaign: Campaign, options: WriteOptions<Bool>) async throws -> Bool {
        try await write(options: options) { transaction in
            let updated = try await transaction.rows(
                """
                UPDATE campaigns SET name = \(campaign.name), discount_percent = \(campaign.discountPercent),
                    commission_percent = \(campaign.commissionPercent), starts_at = \(campaign.startsAt),
                    ends_at = \(campaign.endsAt), updated_at = \(campaign.updatedAt)
                WHERE project_id = \(campaign.projectID) AND id = \(campaign.id)
                RETURNING id
                """)
            guard !updated.isEmpty else { return false }
            transaction.changed(.campaign, campaign.projectID, String(campaign.id))
            return true
        }
    }

    public func campaigns(projectID: String, notEndedAt: Instant?, after: Int64?, limit: Int) async throws -> [Campaign] {
        guard limit > 0 else { return [] }
        return try await rows(
            """
            SELECT \(unescaped: PostgresRows.campaignColumns) FROM campaigns
            WHERE project_id = \(projectID) AND id > \(after ?? 0)
                AND (\(notEndedAt)::timestamptz IS NULL OR ends_at IS NULL OR ends_at > \(notEndedAt))
            ORDER BY id LIMIT \(Int64(limit))
            """
        ).map { try $0.read(PostgresRows.campaign) }
    }
}
