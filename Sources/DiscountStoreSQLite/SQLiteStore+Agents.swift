import DiscountCore
import DiscountStore

private enum SQL {
    static let insert = """
        INSERT INTO agents (project_id, name, contact, registered_at) VALUES (?1, ?2, ?3, ?4)
        ON CONFLICT (project_id, name) DO NOTHING
        """
    static let byName = "SELECT \(CommissionRows.agentColumns) FROM agents WHERE project_id = ?1 AND name = ?2"
    static let byID = "SELECT \(CommissionRows.agentColumns) FROM agents WHERE project_id = ?1 AND id = ?2"
}

extension SQLiteStore {
    public func registerAgent(
        projectID: String, name: String, contact: String?, at: Instant, options: WriteOptions<(Agent, created: Bool)>
    ) async throws -> (Agent, created: Bool) {
        try await write(options: options) { db in
            let created = try db.withStatement(SQL.insert) { s in
                try s.bindAll(projectID, name, contact, at)
                try s.run()
                return s.changes > 0
            }
            let agent = try db.withStatement(SQL.byName) { s in
                try s.bindAll(projectID, name)
                guard try s.step() else { throw StoreError.failure("agent \(name) vanished") }
                return CommissionRows.agent(s)
            }
            return (agent, created)
        }
    }

    public func agent(projectID: String, id: Int64) async throws -> Agent? {
        try read { db in
            try db.withStatement(SQL.byID) { s in
                try s.bindAll(projectID, id)
                return try s.step() ? CommissionRows.agent(s) : nil
            }
        }
    }
}
