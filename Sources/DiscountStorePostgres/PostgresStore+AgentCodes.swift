import DiscountCore
import DiscountStore
import PostgresNIO
import SystemRandom

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
        try await rows(
            """
            SELECT \(unescaped: PostgresRows.agentCodeColumns) FROM agent_codes
            WHERE project_id = \(projectID) AND agent_id = \(agentID) AND campaign_id = \(campaignID)
            """
        ).first.map { try $0.read(PostgresRows.agentCode) }
    }

    public func agentCode(id: Int64) async throws -> AgentCode? {
        try await rows("SELECT \(unescaped: PostgresRows.agentCodeColumns) FROM agent_codes WHERE id = \(id)")
            .first.map { try $0.read(PostgresRows.agentCode) }
    }

    /// A plain read first: after the first call every call ends there. Else
    /// the creation is batched with the others queued (`createAgentCodes`).
    public func getOrCreateAgentCode(
        projectID: String, agentID: Int64, agentName: String, campaignID: Int64, initial: ShopifySyncState, at: Instant,
        options: WriteOptions<(AgentCode, created: Bool)>
    ) async throws -> (AgentCode, created: Bool) {
        if let existing = try await agentCode(projectID: projectID, agentID: agentID, campaignID: campaignID) {
            return (existing, false)
        }
        let request = AgentCodeRequest(
            projectID: projectID, agentID: agentID, agentName: agentName, campaignID: campaignID, initial: initial, at: at)
        return try await batchers.agentCodes.submit(Batched(request, options), deadline: options.deadline)
    }

    /// First-time agent codes for a batch of calls. Each round draws a code
    /// per call still open and runs one statement: INSERT … ON CONFLICT DO
    /// NOTHING RETURNING (the pair's unique index makes one code per agent
    /// and campaign however many race, on any daemon; the key's, one code per
    /// text), with its outbox entry and change-log row; then one SELECT finds
    /// the codes of the calls that inserted nothing (already made, by an
    /// earlier call of the batch or elsewhere). A call whose pair still has
    /// no code drew a taken text: it draws again next round.
    func createAgentCodes(
        _ calls: [Batched<AgentCodeRequest, (AgentCode, created: Bool)>]
    ) async throws -> [Result<(AgentCode, created: Bool), any Error>] {
        await writeBatch(calls, failure: { Self.agentCodeError($1, $0) }) { run, requests in
            try await Self.drawAgentCodes(requests, run)
        }
    }

    private static func drawAgentCodes(
        _ requests: [AgentCodeRequest], _ run: StatementRunner
    ) async throws -> [Result<(AgentCode, created: Bool), any Error>] {
        var results = [(AgentCode, created: Bool)?](repeating: nil, count: requests.count)
        var open = Array(requests.indices)
        for _ in 0..<maxCodeDraws where !open.isEmpty {
            let answers = try await agentCodeRound(open.map { requests[$0] }, run)
            for (index, answer) in zip(open, answers) { results[index] = answer }
            open = open.filter { results[$0] == nil }
        }
        return requests.indices.map { index in
            results[index].map { .success($0) }
                ?? .failure(
                    StoreError.failure(
                        "no free code for agent \(requests[index].agentID) after \(maxCodeDraws) draws"))
        }
    }

    /// One round: nil for a call whose drawn code was taken.
    private static func agentCodeRound(
        _ requests: [AgentCodeRequest], _ run: StatementRunner
    ) async throws -> [(AgentCode, created: Bool)?] {
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
        let inserted = try await run(
            """
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
        let found = try await run(
            """
            SELECT \(unescaped: PostgresRows.qualified(columns, "c"))
            FROM unnest(\(missing.map { projects[$0] })::text[], \(missing.map { agents[$0] })::bigint[],
                \(missing.map { campaigns[$0] })::bigint[]) AS m (project_id, agent_id, campaign_id)
            JOIN agent_codes c ON c.project_id = m.project_id AND c.agent_id = m.agent_id AND c.campaign_id = m.campaign_id
            """
        ).map { try $0.read(PostgresRows.agentCode) }
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
