/// One page of a list call: its items and the token for the next page (empty on the last).
struct ListPage<Item> {
    var items: [Item]
    var nextPageToken: String
}

/// Reads the page at `pageToken` and, with `all`, every page after it, joined into one page with no next token.
/// Without `all` the page comes back as the daemon sent it, token included.
func listPages<Item>(
    all: Bool, from pageToken: String, page: (String) async throws -> ListPage<Item>
) async throws -> ListPage<Item> {
    var joined = try await page(pageToken)
    guard all else { return joined }
    while !joined.nextPageToken.isEmpty {
        let next = try await page(joined.nextPageToken)
        joined.items += next.items
        joined.nextPageToken = next.nextPageToken
    }
    return joined
}
