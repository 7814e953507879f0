import DiscountCore
import DiscountStore

private enum SQL {
    static let insert = """
        INSERT INTO campaigns (project_id, name, discount_percent, commission_percent, starts_at, ends_at, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id
        """
    static let byID = "SELECT \(CommissionRows.campaignColumns) FROM campaigns WHERE project_id = ?1 AND id = ?2"
    static let update = """
        UPDATE campaigns SET name = ?3, discount_percent = ?4, commission_percent = ?5, starts_at = ?6, ends_at = ?7,
            updated_at = ?8
        WHERE project_id = ?1 AND id = ?2
        """
    /// ?3: keyset cursor (0 for the first page); ?4: NULL, or the instant a listed campaign must not have ended by.
    static let page = """
        SELECT \(CommissionRows.campaignColumns) FROM campaigns
        WHERE project_id = ?1 AND id > ?3 AND (?4 IS NULL OR ends_at IS NULL OR ends_at > ?4)
        ORDER BY id LIMIT ?2
        """
}

extension SQLiteStore {
    public func insertCampaign(_ campaign: Campaign, options: WriteOptions<Campaign>) async throws -> Campaign {
        try await write(options: options) { db in
            let id = try db.withStatement(SQL.insert) { s in
                try s.bindAll(
                    campaign.projectID, campaign.name, campaign.discountPercent, campaign.commissionPercent, campaign.startsAt,
                    campaign.endsAt, campaign.createdAt, campaign.updatedAt)
                guard try s.step() else { throw StoreError.failure("campaign insert returned no id") }
                return s.int64(0)
            }
            var stored = campaign
            stored.id = id
            return stored
        }
    }

    public func campaign(projectID: String, id: Int64) async throws -> Campaign? {
        try read { db in
            try db.withStatement(SQL.byID) { s in
                try s.bindAll(projectID, id)
                return try s.step() ? CommissionRows.campaign(s) : nil
            }
        }
    }

    public func updateCampaign(_ campaign: Campaign, options: WriteOptions<Bool>) async throws -> Bool {
        try await write(options: options) { db in
            try db.withStatement(SQL.update) { s in
                try s.bindAll(
                    campaign.projectID, campaign.id, campaign.name, campaign.discountPercent, campaign.commissionPercent,
                    campaign.startsAt, campaign.endsAt, campaign.updatedAt)
                try s.run()
                return s.changes > 0
            }
        }
    }

    public func campaigns(projectID: String, notEndedAt: Instant?, after: Int64?, limit: Int) async throws -> [Campaign] {
        guard limit > 0 else { return [] }
        return try read { db in
            try db.withStatement(SQL.page) { s in
                try s.bindAll(projectID, limit, after ?? 0, notEndedAt)
                var campaigns: [Campaign] = []
                while try s.step() { campaigns.append(CommissionRows.campaign(s)) }
                return campaigns
            }
        }
    }
}
