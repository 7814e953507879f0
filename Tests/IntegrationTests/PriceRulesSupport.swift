import DiscountClient
import Foundation
import Testing

// Helpers for the PriceRules / Admin integration tests.

/// Runs `body`, which must fail with `code` (and `reason`, `field`, message
/// parts when given). Records one issue naming what the daemon did instead.
@discardableResult
func expectRPCError<T>(
    _ code: StatusCode, reason: String? = nil, field: String? = nil, messageContains parts: [String] = [],
    _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> T
) async -> RPCError? {
    let expected = "\(code.name)" + (reason.map { " reason \($0)" } ?? "") + (field.map { " field \($0)" } ?? "")
    let context = comment.map { "\($0): " } ?? ""
    do {
        let value = try await body()
        Issue.record(
            Comment(rawValue: "\(context)expected \(expected), but the call succeeded with \(value)"),
            sourceLocation: sourceLocation)
        return nil
    } catch let error as RPCError {
        let detail = error.detail
        var problems: [String] = []
        if error.code != code { problems.append("code \(error.code.name)") }
        if let reason, detail?.reason != reason { problems.append("reason \(detail?.reason ?? "<no ErrorDetail>")") }
        if let field, detail?.field != field { problems.append("field \(detail.map { "'\($0.field)'" } ?? "<no ErrorDetail>")") }
        for part in parts where !error.message.lowercased().contains(part.lowercased()) {
            problems.append("message lacks '\(part)'")
        }
        if !problems.isEmpty {
            let text =
                "\(context)expected \(expected); got \(problems.joined(separator: ", ")) — "
                + "\(error.code.name): \(error.message) [reason \(detail?.reason ?? "-"), field \(detail?.field ?? "-")]"
            Issue.record(Comment(rawValue: text), sourceLocation: sourceLocation)
        }
        return error
    } catch {
        Issue.record(
            Comment(rawValue: "\(context)expected \(expected), got a non-RPC error: \(error)"), sourceLocation: sourceLocation)
        return nil
    }
}

/// `seconds` from now as a Timestamp.
func timestamp(fromNow seconds: TimeInterval) -> ProtoTimestamp {
    ProtoTimestamp(date: Date().addingTimeInterval(seconds))
}

/// A code text no other test uses.
func uniqueCode(_ prefix: String = "CODE") -> String {
    "\(prefix)-\(UUID().uuidString.prefix(8).uppercased())"
}

extension DiscountClient {
    /// Creates a percentage rule (15% unless told) and returns it.
    func makeRule(
        title: String = "Test rule", value: Double = 15, startsAt: ProtoTimestamp? = nil, endsAt: ProtoTimestamp? = nil,
        usageLimit: Int64? = nil, oncePerCustomer: Bool = false
    ) async throws -> PriceRule {
        let response = try await createPriceRule(
            CreatePriceRuleRequest(
                title: title, valueType: .percentage, value: value, startsAt: startsAt, endsAt: endsAt,
                usageLimit: usageLimit, oncePerCustomer: oncePerCustomer))
        return try #require(response.priceRule)
    }

    /// Creates a code under `rule` and returns it.
    func makeCode(
        _ rule: PriceRule, _ code: String = uniqueCode(), useWithOther: Bool = false, usageLimit: Int64? = nil
    ) async throws -> DiscountCode {
        let response = try await createDiscountCode(
            priceRuleID: rule.id, code: code, useWithOther: useWithOther, usageLimit: usageLimit)
        #expect(response.discountCodes.count == 1)
        return try #require(response.discountCodes.first)
    }

    /// Every code of a rule, following next_page_token.
    func allCodes(of ruleID: String, pageSize: Int32 = 1000) async throws -> [DiscountCode] {
        var codes: [DiscountCode] = []
        var token = ""
        var pages = 0
        repeat {
            let page = try await listDiscountCodes(
                ListDiscountCodesRequest(priceRuleId: ruleID, pageSize: pageSize, pageToken: token))
            codes += page.discountCodes
            token = page.nextPageToken
            pages += 1
            if pages > 100_000 { throw TestFailure("pagination does not end") }
        } while !token.isEmpty
        return codes
    }

    /// Runs a batch and collects its messages.
    func runBatch(
        _ request: BatchCreateDiscountCodesRequest, idempotencyKey: String? = nil
    ) async throws -> (progress: [BulkProgress], result: BatchCreateDiscountCodesResult?, messages: Int) {
        var progress: [BulkProgress] = []
        var result: BatchCreateDiscountCodesResult?
        var messages = 0
        for try await message in batchCreateDiscountCodes(request, idempotencyKey: idempotencyKey, timeout: .seconds(60)) {
            messages += 1
            if let update = message.progress { progress.append(update) }
            if let final = message.result { result = final }
        }
        return (progress, result, messages)
    }
}

/// A client of a new project holding `scopes`, made through the owner's client.
func projectClient(
    _ daemon: any TestDaemon, owner: DiscountClient, name: String = "project-\(UUID().uuidString.prefix(8))",
    scopes: [String] = ["read_price_rules", "write_price_rules"]
) async throws -> (project: Project, token: CreateTokenResponse, client: DiscountClient) {
    let project = try #require(try await owner.createProject(name: name).project)
    let token = try await owner.createToken(projectID: project.id, scopes: scopes, name: "test")
    return (project, token, try await daemon.client(.init(token: token.token)))
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The outcome of each of `count` concurrent calls.
func concurrently<T: Sendable>(
    _ count: Int, _ body: @escaping @Sendable (Int) async throws -> T
) async -> [Result<T, any Error>] {
    await withTaskGroup(of: (Int, Result<T, any Error>).self) { group in
        for index in 0..<count {
            group.addTask {
                do { return (index, .success(try await body(index))) } catch { return (index, .failure(error)) }
            }
        }
        var results = [Result<T, any Error>?](repeating: nil, count: count)
        for await (index, result) in group { results[index] = result }
        return results.map { $0! }
    }
}

extension Result {
    var rpcError: RPCError? {
        if case .failure(let error) = self { return error as? RPCError }
        return nil
    }
    var value: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}

/// Parses discountctl's JSON output as an object.
func jsonObject(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "not a JSON object: \(text)")
}

/// Runs discountctl with `arguments` and `socket`, expects it to succeed, and returns the JSON object it printed.
func discountctlJSON(_ arguments: [String], _ socket: [String]) async throws -> [String: Any] {
    let run = try await discountctl(arguments + socket)
    #expect(run.status == 0, "\(run.stderr)")
    return try jsonObject(run.stdout)
}
