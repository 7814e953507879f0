import DiscountCore

/// The durable truth behind `discountd.v1.Commission`: agents, campaigns,
/// agents' codes and their Shopify outbox, credentials, and attributed orders.
/// Kept apart from `Store` so backends can grow it on their own.
public protocol CommissionStore: Sendable {
    // MARK: Agents

    /// Inserts the agent unless the project has one of that name; returns
    /// whichever is stored and whether this call created it.
    func registerAgent(
        projectID: String, name: String, contact: String?, at: Instant, options: WriteOptions<(Agent, created: Bool)>
    ) async throws -> (Agent, created: Bool)
    func agent(projectID: String, id: Int64) async throws -> Agent?

    // MARK: Campaigns

    /// Stores `campaign` under a new id (its `id` is ignored) and returns it.
    func insertCampaign(_ campaign: Campaign, options: WriteOptions<Campaign>) async throws -> Campaign
    func campaign(projectID: String, id: Int64) async throws -> Campaign?
    /// Replaces name, percents, start, end and updated_at; false when missing.
    func updateCampaign(_ campaign: Campaign, options: WriteOptions<Bool>) async throws -> Bool
    /// Keyset page by id. `notEndedAt`: only campaigns not ended at that instant.
    func campaigns(projectID: String, notEndedAt: Instant?, after: Int64?, limit: Int) async throws -> [Campaign]

    // MARK: Agent codes

    func agentCode(projectID: String, agentID: Int64, campaignID: Int64) async throws -> AgentCode?
    func agentCode(id: Int64) async throws -> AgentCode?
    /// Get-or-create in one guarded write: the (agent, campaign) code if it
    /// exists, else a new `CC-{AGENT}-{RANDOM}` code (collisions drawn again)
    /// in state `initial`, with an outbox entry due at `at` unless `initial`
    /// is `skippedNoCredentials`. However many callers race, one code.
    func getOrCreateAgentCode(
        projectID: String, agentID: Int64, agentName: String, campaignID: Int64, initial: ShopifySyncState, at: Instant,
        options: WriteOptions<(AgentCode, created: Bool)>
    ) async throws -> (AgentCode, created: Bool)

    // MARK: Shopify outbox

    /// Stores the outcome of a sync attempt. `retryAt` non-nil keeps (or puts)
    /// the code in the outbox due then, counting the attempt; nil removes it.
    func recordSyncOutcome(codeID: Int64, state: ShopifySyncState, retryAt: Instant?) async throws
    /// Outbox entries due at `now`, oldest first.
    func dueOutbox(now: Instant, limit: Int) async throws -> [OutboxEntry]
    /// The earliest time an entry is due; nil when the outbox is empty.
    func nextOutboxDue() async throws -> Instant?
    func outboxDepth() async throws -> Int64
    /// Puts every code of the project that is not synced back in the outbox, due `at`.
    func requeueUnsynced(projectID: String, at: Instant) async throws -> Int64

    // MARK: Shopify credentials

    func shopifyCredentials(projectID: String) async throws -> ShopifyCredentials?
    /// Saves the credentials and, in the same transaction, puts every code of
    /// the project that is not synced back in the outbox, due `requeueAt`;
    /// returns how many it requeued.
    func saveShopifyCredentials(
        _ credentials: ShopifyCredentials, requeueAt: Instant, options: WriteOptions<Int64>
    ) async throws -> Int64

    // MARK: Orders

    /// Attributes the order to the first of `codes` that is an agent code
    /// (case-insensitively), or keeps an earlier attribution; idempotent on
    /// order id: a replay changes nothing, a new status updates the commission.
    func recordOrder(
        _ order: OrderInput, options: WriteOptions<(OrderAttribution, created: Bool)>
    ) async throws -> (OrderAttribution, created: Bool)
    /// `recordOrder` for a webhook delivery, de-duplicated on its id in the
    /// same write: nil when the delivery was seen before.
    func recordWebhookOrder(_ order: OrderInput, webhookID: String) async throws -> (OrderAttribution, created: Bool)?
    /// The project whose Shopify credentials name `shopDomain`.
    func projectID(shopDomain: String) async throws -> String?
    /// Per campaign and currency: orders (not cancelled), sales and commission of paid orders.
    func commissions(projectID: String, agentID: Int64, since: Instant?, until: Instant?) async throws -> [CommissionFigures]
}

/// A code waiting to be sent to Shopify.
public struct OutboxEntry: Sendable, Hashable {
    public var codeID: Int64
    public var projectID: String
    public var attempts: Int64
    public var nextAttemptAt: Instant

    public init(codeID: Int64, projectID: String, attempts: Int64, nextAttemptAt: Instant) {
        self.codeID = codeID
        self.projectID = projectID
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
    }
}

/// An order as RecordOrder reports it.
public struct OrderInput: Sendable, Hashable {
    public var projectID: String
    public var orderID: String
    public var codes: [String]
    public var subtotal: Int64
    public var currency: String
    public var occurredAt: Instant
    public var state: OrderState
    public var at: Instant

    public init(
        projectID: String, orderID: String, codes: [String], subtotal: Int64, currency: String, occurredAt: Instant,
        state: OrderState, at: Instant
    ) {
        self.projectID = projectID
        self.orderID = orderID
        self.codes = codes
        self.subtotal = subtotal
        self.currency = currency
        self.occurredAt = occurredAt
        self.state = state
        self.at = at
    }
}

extension OrderAttribution {
    /// A first report of `order`, before any of its codes is matched: no agent, no commission.
    public init(unattributed order: OrderInput) {
        self.init(
            projectID: order.projectID, orderID: order.orderID, agentID: nil, campaignID: nil, matchedCode: nil,
            subtotal: order.subtotal, currency: order.currency, occurredAt: order.occurredAt, state: order.state,
            commission: 0)
    }
}

/// The same writes without a deadline or key, for tools, workers and tests.
extension CommissionStore {
    public func registerAgent(
        projectID: String, name: String, contact: String?, at: Instant
    ) async throws -> (Agent, created: Bool) {
        try await registerAgent(projectID: projectID, name: name, contact: contact, at: at, options: .plain)
    }

    public func insertCampaign(_ campaign: Campaign) async throws -> Campaign {
        try await insertCampaign(campaign, options: .plain)
    }

    public func updateCampaign(_ campaign: Campaign) async throws -> Bool {
        try await updateCampaign(campaign, options: .plain)
    }

    public func getOrCreateAgentCode(
        projectID: String, agentID: Int64, agentName: String, campaignID: Int64, initial: ShopifySyncState, at: Instant
    ) async throws -> (AgentCode, created: Bool) {
        try await getOrCreateAgentCode(
            projectID: projectID, agentID: agentID, agentName: agentName, campaignID: campaignID, initial: initial, at: at,
            options: .plain)
    }

    public func saveShopifyCredentials(_ credentials: ShopifyCredentials) async throws {
        _ = try await saveShopifyCredentials(credentials, requeueAt: credentials.updatedAt, options: .plain)
    }

    public func recordOrder(_ order: OrderInput) async throws -> (OrderAttribution, created: Bool) {
        try await recordOrder(order, options: .plain)
    }
}
