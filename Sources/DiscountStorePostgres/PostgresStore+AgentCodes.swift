import DiscountCore
import DiscountStore
import PostgresNIO

/// One GetMyDiscountCode that found no code: what the batch needs to make one.
struct AgentCodeRequest: Sendable {
    var projectID: String
    var agentID: Int64
    var agentName: String
    var campaignID: Int64
    var initial: ShopifySyncState
    var at: Instant
}

extension PostgresStore {
    /// Draws before giving up; at 36⁴ codes per agent prefix a clash is rare,
    /// twenty in a row means the prefix is (nearly) full.
    static let maxCodeDraws = 20

    public func agentCode(projectID: String, agentID: Int64, campaignID: Int64) async throws -> AgentCode? {
        try await rows("""
            SELECT \(unescaped: PostgresRows.agentCodeColumns) FROM agent_codes
            WHERE project_id = \(projectID) AND agent_id = \(agentID) AND campaign_id = \(campaignID)
            """).first.map { var r = $0.reader(); return try PostgresRows.agentCode(&r) }
    }

    public func agentCode(id: Int64) async throws -> AgentCode? {
        try await rows("SELECT \(unescaped: PostgresRows.agentCodeColumns) FROM agent_codes WHERE id = \(id)")
            .first.map { var r = $0.reader(); return try PostgresRows.agentCode(&r) }
    }

    /// A plain read first: after the first call every call ends there. Else
    /// the creation is batched with the others queued (`createAgentCodes`).
    public func getOrCreateAgentCode(
        projectID: String, agentID: Int64, agentName: String, campaignID: Int64, initial: ShopifySyncState, at: Instant
    ) async throws -> (AgentCode, created: Bool) {
        if let existing = try await agentCode(projectID: projectID, agentID: agentID, campaignID: campaignID) {
            return (existing, false)
        }
        return try await batchers.agentCodes.submit(AgentCodeRequest(
            projectID: projectID, agentID: agentID, agentName: agentName, campaignID: campaignID, initial: initial, at: at))
    }

    /// The agent and its code, if any, in one read; then, for a first code,
    /// the batched creation. Nil when the project has no agent `agentID`.
    public func getOrCreateAgentCode(
        projectID: String, agentID: Int64, campaignID: Int64, initial: ShopifySyncState, at: Instant,
        deadline: WriteDeadline, completion: @escaping @Sendable (Result<(AgentCode, created: Bool)?, any Error>) -> Void
    ) {
        Task {
            do {
                guard !deadline.hasPassed else { throw StoreError.deadlineExceeded }
                guard let row = try await rows("""
                    SELECT a.name, \(unescaped: PostgresRows.qualified(PostgresRows.agentCodeColumns, "c"))
                    FROM agents a LEFT JOIN agent_codes c ON c.agent_id = a.id AND c.campaign_id = \(campaignID)
                    WHERE a.project_id = \(projectID) AND a.id = \(agentID)
                    """).first
                else { return completion(.success(nil)) }
                var r = row.reader()
                let name: String = try r.next()
                if !r.nextIsNull { return completion(.success((try PostgresRows.agentCode(&r), false))) }
                let request = AgentCodeRequest(
                    projectID: projectID, agentID: agentID, agentName: name, campaignID: campaignID, initial: initial, at: at)
                batchers.agentCodes.submit(request, deadline: deadline) { completion($0.map { Optional.some($0) }) }
            } catch {
                completion(.failure(error))
            }
        }
    }

    /// First-time agent codes for a batch of calls. Each round draws a code
    /// per call still open and runs one statement: INSERT … ON CONFLICT DO
    /// NOTHING RETURNING (the pair's unique index makes one code per agent
    /// and campaign however many race, on any daemon; the key's, one code per
    /// text), with its outbox entry and change-log row; then one SELECT finds
    /// the codes of the calls that inserted nothing (already made, by an
    /// earlier call of the batch or elsewhere). A call whose pair still has
    /// no code drew a taken text: it draws again next round.
    func createAgentCodes(_ requests: [AgentCodeRequest]) async throws -> [Result<(AgentCode, created: Bool), any Error>] {
        var results = [Result<(AgentCode, created: Bool), any Error>?](repeating: nil, count: requests.count)
        var open = Array(requests.indices)
        for _ in 0..<Self.maxCodeDraws where !open.isEmpty {
            let batch = open.map { requests[$0] }
            let answers: [(AgentCode, created: Bool)?]
            do {
                answers = try await agentCodeRound(batch)
            } catch where batch.count > 1 && !(error is StoreError) {
                // Fails as a whole (a campaign that does not exist): call by call.
                var one: [(AgentCode, created: Bool)?] = []
                for (index, request) in zip(open, batch) {
                    do {
                        one.append(try await agentCodeRound([request])[0])
                    } catch {
                        results[index] = .failure(Self.agentCodeError(error, request))
                        one.append(nil)
                    }
                }
                answers = one
            } catch {
                for (index, request) in zip(open, batch) { results[index] = .failure(Self.agentCodeError(error, request)) }
                answers = batch.map { _ in nil }
            }
            for (index, answer) in zip(open, answers) where results[index] == nil {
                if let answer { results[index] = .success(answer) }
            }
            open = open.filter { results[$0] == nil }
        }
        return requests.indices.map { index in
            results[index] ?? .failure(StoreError.failure(
                "no free code for agent \(requests[index].agentID) after \(Self.maxCodeDraws) draws"))
        }
    }

    /// One round: nil for a call whose drawn code was taken.
    private func agentCodeRound(_ requests: [AgentCodeRequest]) async throws -> [(AgentCode, created: Bool)?] {
        // Distinct draws within the round, so each inserted row names its call.
        var drawn = Set<String>()
        var texts: [String] = []
        for request in requests {
            var text = AgentCodeFormat.make(agentName: request.agentName)
            while !drawn.insert(text).inserted { text = AgentCodeFormat.make(agentName: request.agentName) }
            texts.append(text)
        }
        let projects = requests.map(\.projectID)
        let agents = requests.map(\.agentID)
        let campaigns = requests.map(\.campaignID)
        let keys = texts.map { $0.uppercased() }
        let instants = requests.map(\.at)
        let statuses = requests.map(\.initial.status.rawValue)
        let errors = NullableArray(requests.map(\.initial.error?.rawValue))
        let columns = PostgresRows.agentCodeColumns
        let inserted = try await rows("""
            WITH input AS (
                SELECT * FROM unnest(\(projects)::text[], \(agents)::bigint[], \(campaigns)::bigint[], \(texts)::text[],
                    \(keys)::text[], \(instants)::timestamptz[], \(statuses)::text[], \(errors)::text[]) WITH ORDINALITY
                    AS i (project_id, agent_id, campaign_id, code, canonical_code, created_at, sync_status, sync_error, ord)
            ),
            inserted AS (
                INSERT INTO agent_codes (project_id, agent_id, campaign_id, code, canonical_code, created_at, sync_status,
                    sync_error)
                SELECT project_id, agent_id, campaign_id, code, canonical_code, created_at, sync_status, sync_error
                FROM input i
                -- A drawn code must be new to the project's price-rule codes too.
                WHERE NOT EXISTS (
                    SELECT 1 FROM discount_codes d WHERE d.project_id = i.project_id AND d.canonical_code = i.canonical_code)
                ORDER BY i.ord
                ON CONFLICT DO NOTHING
                RETURNING \(unescaped: columns), canonical_code
            ),
            -- Without credentials there is nothing to send; setting them requeues the code.
            enqueued AS (
                INSERT INTO shopify_outbox (agent_code_id, project_id, enqueued_at, next_attempt_at)
                SELECT id, project_id, created_at, created_at FROM inserted WHERE sync_status <> 'skipped_no_credentials'
            ),
            logged AS (
                INSERT INTO change_log (kind, project_id, entity_id, entity_key, version)
                SELECT 'agent_code', project_id, id::text, canonical_code, 0 FROM inserted
            )
            SELECT \(unescaped: PostgresRows.qualified(columns, "n"))
            FROM input i LEFT JOIN inserted n ON n.agent_id = i.agent_id AND n.campaign_id = i.campaign_id AND n.code = i.code
            ORDER BY i.ord
            """)
        var answers: [(AgentCode, created: Bool)?] = try inserted.map { row in
            var r = row.reader()
            return r.nextIsNull ? nil : (try PostgresRows.agentCode(&r), true)
        }
        let missing = requests.indices.filter { answers[$0] == nil }
        guard !missing.isEmpty else { return answers }
        // The SELECT: codes made before (or meanwhile, by whoever won the pair).
        let found = try await rows("""
            SELECT \(unescaped: PostgresRows.qualified(columns, "c"))
            FROM unnest(\(missing.map { projects[$0] })::text[], \(missing.map { agents[$0] })::bigint[],
                \(missing.map { campaigns[$0] })::bigint[]) AS m (project_id, agent_id, campaign_id)
            JOIN agent_codes c ON c.project_id = m.project_id AND c.agent_id = m.agent_id AND c.campaign_id = m.campaign_id
            """).map { var r = $0.reader(); return try PostgresRows.agentCode(&r) }
        for index in missing {
            let request = requests[index]
            if let code = found.first(where: {
                $0.projectID == request.projectID && $0.agentID == request.agentID && $0.campaignID == request.campaignID
            }) {
                answers[index] = (code, false)
            }
        }
        return answers
    }

    private static func agentCodeError(_ error: any Error, _ request: AgentCodeRequest) -> any Error {
        if PostgresErrors.isForeignKeyViolation(error) {
            return StoreError.failure("agent \(request.agentID) or campaign \(request.campaignID) does not exist")
        }
        return error
    }
}
