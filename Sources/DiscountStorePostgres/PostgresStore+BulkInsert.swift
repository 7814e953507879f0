import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    /// Rows per transaction of a bulk insert: each is one statement over
    /// array parameters (a few MB), and other writes wait for none of it.
    static let bulkChunkSize = 20_000

    /// Inserts chunk by chunk, each its own transaction, in id order (so of
    /// two spellings of one code in the batch, the lower id is kept, as on
    /// SQLite). A code the project already has, or that the batch repeats, is
    /// skipped and its canonical code returned. Chunks that committed stay
    /// committed if a later one fails.
    public func insertDiscountCodes(_ codes: [DiscountCode]) async throws -> [String] {
        let ordered = codes.sorted { $0.id < $1.id }
        var rejected: [String] = []
        var start = 0
        while start < ordered.count {
            let chunk = ordered[start..<min(start + Self.bulkChunkSize, ordered.count)]
            rejected += try await write { transaction in try await Self.insertChunk(chunk, &transaction) }
            start += chunk.count
        }
        return rejected
    }

    /// One chunk and its checkpoint, in one transaction.
    public func insertDiscountCodes(
        _ codes: [DiscountCode], checkpoint: @escaping @Sendable ([String]) -> BulkCheckpoint
    ) async throws -> [String] {
        let ordered = codes.sorted { $0.id < $1.id }
        return try await write { transaction in
            let rejected = try await Self.insertChunk(ordered[...], &transaction)
            try await Self.saveBulkCheckpoint(checkpoint(rejected), transaction)
            return rejected
        }
    }

    /// Only the key's uniqueness is resolved quietly; any other conflict (a
    /// repeated id, a missing rule) fails the chunk. The inserted codes are
    /// logged in the same statement.
    private static func insertChunk(
        _ codes: ArraySlice<DiscountCode>, _ transaction: inout WriteTransaction
    ) async throws -> [String] {
        guard !codes.isEmpty else { return [] }
        let query = PostgresQuery(
            unsafeSQL: """
                WITH inserted AS (
                    INSERT INTO discount_codes (\(PostgresRows.discountCodeColumns))
                    SELECT \(PostgresRows.discountCodeColumns) FROM \(DiscountCodeArrays.rows)
                    ORDER BY i.ord
                    ON CONFLICT (project_id, canonical_code) DO NOTHING
                    RETURNING project_id, id, canonical_code, version
                ),
                logged AS (
                    INSERT INTO change_log (kind, project_id, entity_id, entity_key, version)
                    SELECT 'discount_code', project_id, id, canonical_code, version FROM inserted
                )
                SELECT id FROM inserted
                """, binds: DiscountCodeArrays(codes).binds)
        let inserted: Set<String>
        do {
            inserted = Set(try await transaction.rows(query).map { try $0.decode(String.self) })
        } catch {
            throw codeWriteError(error, codes[codes.startIndex])
        }
        return codes.filter { !inserted.contains($0.id) }.map(\.canonicalCode)
    }
}
