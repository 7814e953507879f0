import Testing

@testable import DiscountStorePostgres

/// libpq-style URLs as `discountd --postgres` takes them.
@Suite struct PostgresURLTests {
    @Test func aUnixSocketFolderInTheQuery() throws {
        let url = try PostgresURL("postgresql://discountd@/shop?host=/run/postgresql")
        #expect(url.socketPath == "/run/postgresql/.s.PGSQL.5432")
        #expect(url.host == nil && url.user == "discountd" && url.database == "shop" && url.password == nil)
    }

    @Test func tcpWithEveryPart() throws {
        let url = try PostgresURL(
            "postgres://app:s%40cret@db.example.com:6543/discounts?sslmode=verify-full&application_name=d1&connect_timeout=3")
        #expect(url.host == "db.example.com" && url.port == 6543 && url.socketPath == nil)
        #expect(url.user == "app" && url.password == "s@cret" && url.database == "discounts")
        #expect(url.sslMode == .verifyFull && url.applicationName == "d1" && url.connectTimeout == .seconds(3))
        #expect(!url.description.contains("s@cret") && !url.description.contains("cret"))
    }

    @Test func ipv6AndAPercentEncodedSocketFolder() throws {
        #expect(try PostgresURL("postgresql://u@[::1]:5433/d").host == "::1")
        let socket = try PostgresURL("postgresql://u@%2Ftmp%2Fpg:5440/d")
        #expect(socket.socketPath == "/tmp/pg/.s.PGSQL.5440")
    }

    @Test func thePasswordMayComeFromElsewhereButTheURLWins() throws {
        #expect(try PostgresURL("postgresql://u@h/d", password: "env").password == "env")
        #expect(try PostgresURL("postgresql://u:url@h/d", password: "env").password == "url")
        #expect(try PostgresURL("postgresql://u@h/d?password=query", password: "env").password == "query")
    }

    @Test func serverOptionsPassThrough() throws {
        let url = try PostgresURL("postgresql://u@/d?host=/tmp&options=-c%20search_path%3Dt_1")
        #expect(url.options == "-c search_path=t_1")
        #expect(url.startupParameters.contains { $0 == ("options", "-c search_path=t_1") })
    }

    @Test func sessionsRunWithoutJITUnlessTheOptionsSayOtherwise() throws {
        #expect(try PostgresURL("postgresql://u@h/d").startupParameters.contains { $0 == ("jit", "off") })
        let chosen = try PostgresURL("postgresql://u@h/d?options=-c%20jit%3Don").startupParameters
        #expect(!chosen.contains { $0.0 == "jit" })
        #expect(chosen.contains { $0 == ("options", "-c jit=on") })
    }

    @Test(arguments: [
        "mysql://u@h/d", "postgresql://u@/d", "postgresql://u@h:0/d", "postgresql://u@h/d?sslmode=sometimes",
        "postgresql://u@h/d?tcp_keepalive=1", "postgresql://u@a,b/d", "postgresql://u@h/d?connect_timeout=-1",
    ])
    func refusesWhatItCannotHonour(_ text: String) {
        #expect(throws: PostgresURL.Invalid.self) { try PostgresURL(text) }
    }

    @Test func errorsNeverShowThePassword() {
        do {
            _ = try PostgresURL("mysql://u:hunter2@h/d")
            Issue.record("accepted")
        } catch {
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
