import DiscountCore
import DiscountStore
import SystemRandom

private enum SQL {
    static let byPair = """
        SELECT \(CommissionRows.codeColumns) FROM agent_codes WHERE project_id = ?1 AND agent_id = ?2 AND campaign_id = ?3
        """
    static let byID = "SELECT \(CommissionRows.codeColumns) FROM agent_codes WHERE id = ?1"
    /// A drawn code must be new to the project's agent codes and price-rule codes alike.
    static let taken = """
        SELECT EXISTS (SELECT 1 FROM agent_codes WHERE project_id = ?1 AND canonical_code = ?2)
            OR EXISTS (SELECT 1 FROM discount_codes WHERE project_id = ?1 AND canonical_code = ?2)
        """
    static let insert = """
        INSERT INTO agent_codes (project_id, agent_id, campaign_id, code, canonical_code, created_at, sync_status, sync_error)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
        """
    static let enqueue = """
        INSERT INTO shopify_outbox (agent_code_id, project_id, enqueued_at, next_attempt_at) VALUES (?1, ?2, ?3, ?3)
        """
}

extension SQLiteStore {
    /// Draws before giving up; at 36⁴ codes per agent prefix a clash is rare,
    /// twenty in a row means the prefix is (nearly) full.
    static let maxCodeDraws = 20

    public func agentCode(projectID: String, agentID: Int64, campaignID: Int64) async throws -> AgentCode? {
        try read { db in try Self.agentCode(db, projectID: projectID, agentID: agentID, campaignID: campaignID) }
    }

    public func agentCode(id: Int64) async throws -> AgentCode? {
        try read { db in
            try db.withStatement(SQL.byID) { s in
                try s.bind(1, id)
                return try s.step() ? CommissionRows.code(s) : nil
            }
        }
    }

    public func getOrCreateAgentCode(
        projectID: String, agentID: Int64, agentName: String, campaignID: Int64, initial: ShopifySyncState, at: Instant,
        options: WriteOptions<(AgentCode, created: Bool)>
    ) async throws -> (AgentCode, created: Bool) {
        // One write job, which looks for the code first: the service asks only
        // when its cache has no settled code, which is mostly a first call, so
        // a read ahead of the write would nearly always miss (and cost a reader
        // transaction per new code: about a seventh of a first call's CPU, measured).
        do {
            return try await write(
                options: options,
                Self.agentCodeCreation(
                    projectID: projectID, agentID: agentID, agentName: agentName, campaignID: campaignID, initial: initial,
                    at: at))
        } catch StoreError.storageFull {
            // A full disk refuses the job before it looks: a code made before still answers.
            if let existing = try await agentCode(projectID: projectID, agentID: agentID, campaignID: campaignID) {
                return (existing, false)
            }
            throw StoreError.storageFull
        }
    }

    /// The writer thread runs one job at a time, so looking for the code inside
    /// the write makes get-or-create atomic: racing callers after the first find its code.
    private static func agentCodeCreation(
        projectID: String, agentID: Int64, agentName: String, campaignID: Int64, initial: ShopifySyncState, at: Instant
    ) -> @Sendable (SQLiteConnection) throws -> (AgentCode, created: Bool) {
        { db in
            if let existing = try Self.agentCode(db, projectID: projectID, agentID: agentID, campaignID: campaignID) {
                return (existing, false)
            }
            for _ in 0..<Self.maxCodeDraws {
                let text = AgentCodeFormat.make(agentName: agentName)
                let canonical = text.uppercased()
                let taken = try db.withStatement(SQL.taken) { s in
                    try s.bindAll(projectID, canonical)
                    return try s.step() && s.bool(0)
                }
                if taken { continue }
                try db.withStatement(SQL.insert) { s in
                    try s.bindAll(
                        projectID, agentID, campaignID, text, canonical, at, initial.status.rawValue, initial.error?.rawValue)
                    try s.run()
                }
                let id = db.lastInsertRowID
                // Without credentials there is nothing to send; setting them requeues the code.
                if initial.status != .skippedNoCredentials {
                    try db.withStatement(SQL.enqueue) { s in
                        try s.bindAll(id, projectID, at)
                        try s.run()
                    }
                }
                let code = AgentCode(
                    id: id, projectID: projectID, agentID: agentID, campaignID: campaignID, code: text, createdAt: at,
                    sync: ShopifySyncState(status: initial.status, error: initial.error))
                return (code, true)
            }
            throw StoreError.failure("no free code for agent \(agentID) after \(Self.maxCodeDraws) draws")
        }
    }

    static func agentCode(_ db: SQLiteConnection, projectID: String, agentID: Int64, campaignID: Int64) throws -> AgentCode? {
        try db.withStatement(SQL.byPair) { s in
            try s.bindAll(projectID, agentID, campaignID)
            return try s.step() ? CommissionRows.code(s) : nil
        }
    }
}
