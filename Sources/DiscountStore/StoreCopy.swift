/// One column of one row as a store keeps it: what `discountd copy-store`
/// carries from one backend to another (each side converts to and from its
/// own column types).
public enum StoredValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A store whose tables can be read out whole, from one consistent snapshot:
/// the source of a copy to another backend.
public protocol StoreTableSource: Sendable {
    /// Every table, referenced tables before the tables referring to them.
    var tableNames: [String] { get }
    /// The columns `rows(of:)` gives, in order.
    func columns(of table: String) throws -> [String]
    func count(of table: String) throws -> Int64
    /// Every row of `table`, `chunk` rows at a time, in the table's key order.
    func forEachChunk(of table: String, chunk: Int, _ body: ([[StoredValue]]) async throws -> Void) async throws
}
