import DiscountCore
import DiscountStore
import DiscountStoreSQLite
import Testing

/// Runs `body` against a fresh store of `factory`'s kind that also keeps voucher pools.
func withVoucherStore(
    _ factory: StoreFactory, _ body: (any Store & VoucherStore) async throws -> Void
) async throws {
    try await withStore(factory, keeping: (any Store & VoucherStore).self, body)
}

extension Fixtures {
    static func pool(_ name: String = "Spring", project: String = Project.defaultID, id: String = newID()) -> VoucherPool {
        VoucherPool(id: id, projectID: project, name: name, createdAt: t0)
    }

    static func voucherTexts(_ prefix: String, _ count: Int) -> [VoucherCodeText] {
        (1...count).map { VoucherCodeText("\(prefix)-\($0)") }
    }

    /// The codes the assignments handed out and how many found the pool empty; anything else is a failure.
    static func handedOut(_ outcomes: [VoucherAssignmentOutcome]) -> (codes: [String], exhausted: Int) {
        var codes: [String] = []
        var exhausted = 0
        for outcome in outcomes {
            switch outcome {
            case .assigned(let code): codes.append(code.code)
            case .poolExhausted: exhausted += 1
            default: Issue.record("unexpected \(outcome)")
            }
        }
        return (codes, exhausted)
    }

    static func assignment(_ pool: VoucherPool, customer: String, usedBy: String = "") -> VoucherAssignment {
        VoucherAssignment(projectID: pool.projectID, poolID: pool.id, customerID: customer, usedBy: usedBy, at: t0)
    }
}

extension VoucherStore {
    /// A new pool in the default project holding `<prefix>-1` to `<prefix>-<count>`.
    func makePool(_ prefix: String, _ count: Int) async throws -> VoucherPool {
        let pool = Fixtures.pool()
        try await insertVoucherPool(pool)
        _ = try await addVoucherCodes(projectID: pool.projectID, poolID: pool.id, codes: Fixtures.voucherTexts(prefix, count))
        return pool
    }
}

extension StoreContract {
    @Test(arguments: StoreFactory.all)
    func voucherPoolsAreUniqueByNameAndScopedToTheirProject(_ factory: StoreFactory) async throws {
        try await withVoucherStore(factory) { store async throws in
            try await store.insertProject(Project(id: "acme", name: "Acme", createdAt: Fixtures.t0))
            let spring = Fixtures.pool("Spring")
            let autumn = Fixtures.pool("Autumn")
            try await store.insertVoucherPool(spring)
            try await store.insertVoucherPool(autumn)
            try await store.insertVoucherPool(Fixtures.pool("Spring", project: "acme"))
            await #expect(throws: StoreError.conflict("voucher pool named Spring")) {
                try await store.insertVoucherPool(Fixtures.pool("Spring"))
            }
            #expect(try await store.voucherPools(projectID: Project.defaultID).map(\.name) == ["Spring", "Autumn"])
            #expect(try await store.voucherPool(projectID: Project.defaultID, id: spring.id) == spring)
            #expect(try await store.voucherPool(projectID: "acme", id: spring.id) == nil, "another project's pool")
        }
    }

    @Test(arguments: StoreFactory.all)
    func addingCodesCountsDuplicatesAcrossPoolsOfTheProject(_ factory: StoreFactory) async throws {
        try await withVoucherStore(factory) { store async throws in
            try await store.insertProject(Project(id: "acme", name: "Acme", createdAt: Fixtures.t0))
            let a = Fixtures.pool("A")
            let b = Fixtures.pool("B")
            let other = Fixtures.pool("A", project: "acme")
            for pool in [a, b, other] { try await store.insertVoucherPool(pool) }

            let first = try await store.addVoucherCodes(
                projectID: a.projectID, poolID: a.id, codes: Fixtures.voucherTexts("V", 10))
            #expect(first == VoucherAddResult(added: 10, duplicates: 0))
            // v-1 is V-1 case-insensitively; X-1 repeats within the call.
            let second = try await store.addVoucherCodes(
                projectID: b.projectID, poolID: b.id,
                codes: [VoucherCodeText("v-1"), VoucherCodeText("X-1"), VoucherCodeText("x-1"), VoucherCodeText("X-2")])
            #expect(second == VoucherAddResult(added: 2, duplicates: 2))
            // Another project may hold the same text.
            let third = try await store.addVoucherCodes(projectID: "acme", poolID: other.id, codes: Fixtures.voucherTexts("V", 3))
            #expect(third == VoucherAddResult(added: 3, duplicates: 0))
            #expect(try await store.addVoucherCodes(projectID: "acme", poolID: a.id, codes: Fixtures.voucherTexts("Q", 1)) == nil)

            let pool = try #require(try await store.voucherPool(projectID: b.projectID, id: b.id))
            #expect(pool.total == 2 && pool.available == 2 && pool.assigned == 0 && pool.redeemed == 0)
            let page = try #require(
                try await store.voucherCodes(projectID: b.projectID, poolID: b.id, status: nil, skip: 0, limit: 10))
            #expect(page.codes.map(\.code) == ["X-1", "X-2"])
            #expect(page.codes.map(\.sequence) == [1, 2], "numbers stay dense despite duplicates")
        }
    }

    @Test(arguments: StoreFactory.all)
    func assignmentHandsOutEachCodeOnceAndKeepsTheCounts(_ factory: StoreFactory) async throws {
        try await withVoucherStore(factory) { store async throws in
            let pool = try await store.makePool("A", 200)

            let outcomes = try await atOnce(210, across: [store]) { store, index in
                try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "c\(index)"))
            }
            let (codes, exhausted) = Fixtures.handedOut(outcomes)
            #expect(codes.count == 200 && Set(codes).count == 200)
            #expect(exhausted == 10)
            let counted = try #require(try await store.voucherPool(projectID: pool.projectID, id: pool.id))
            #expect(counted.total == 200 && counted.available == 0 && counted.assigned == 200)
        }
    }

    /// Assignments go lowest number first, one write after another, and a
    /// pool deleted and made again under its id hands out its new codes
    /// (SQLite reads codes ahead: what it read of the old pool must not count).
    @Test(arguments: StoreFactory.all)
    func assignmentsGoInOrderAndAPoolMadeAgainHandsOutItsNewCodes(_ factory: StoreFactory) async throws {
        try await withVoucherStore(factory) { store async throws in
            let pool = try await store.makePool("R", 10)
            var handedOut: [String] = []
            for customer in ["c1", "c2", "c3", "c4"] {
                if case .assigned(let code) = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: customer)) {
                    handedOut.append(code.code)
                }
            }
            #expect(handedOut == ["R-1", "R-2", "R-3", "R-4"])

            _ = try await store.deleteVoucherPool(projectID: pool.projectID, id: pool.id)
            let again = Fixtures.pool(pool.name, id: pool.id)
            try await store.insertVoucherPool(again)
            _ = try await store.addVoucherCodes(
                projectID: again.projectID, poolID: again.id, codes: Fixtures.voucherTexts("S", 2))
            guard case .assigned(let code) = try await store.assignVoucherCode(Fixtures.assignment(again, customer: "c5"))
            else {
                Issue.record("not assigned")
                return
            }
            #expect(code.code == "S-1")
            let counted = try #require(try await store.voucherPool(projectID: again.projectID, id: again.id))
            #expect(counted.available == 1 && counted.assigned == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func theSameCustomerAndUsedByGetTheSameCode(_ factory: StoreFactory) async throws {
        try await withVoucherStore(factory) { store async throws in
            let pool = try await store.makePool("S", 5)
            guard
                case .assigned(let first) = try await store.assignVoucherCode(
                    Fixtures.assignment(pool, customer: "ann", usedBy: "spring"))
            else {
                Issue.record("not assigned")
                return
            }
            #expect(first.code == "S-1" && first.status == .assigned && first.customerID == "ann" && first.usedBy == "spring")
            #expect(first.assignedAt == Fixtures.t0)
            #expect(
                try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "ann", usedBy: "spring"))
                    == .alreadyAssigned(first))
            guard case .assigned(let other) = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "ann"))
            else {
                Issue.record("not assigned")
                return
            }
            #expect(other.code == "S-2" && other.usedBy == nil)
            _ = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "bob", usedBy: "autumn"))
            #expect(try await store.voucherPoolUsedBy(projectID: pool.projectID, id: pool.id) == ["autumn", "spring"])
            let missing = VoucherAssignment(projectID: "default", poolID: "nope", customerID: "ann", usedBy: "", at: Fixtures.t0)
            #expect(try await store.assignVoucherCode(missing) == .poolNotFound)
        }
    }

    @Test(arguments: StoreFactory.all)
    func redemptionMovesAssignedCodesOnce(_ factory: StoreFactory) async throws {
        try await withVoucherStore(factory) { store async throws in
            let pool = try await store.makePool("R", 3)
            _ = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "ann"))
            let at = Fixtures.t0.adding(seconds: 5)
            guard
                case .redeemed(let code) = try await store.redeemVoucherCode(
                    projectID: pool.projectID, canonicalCode: "R-1", at: at)
            else {
                Issue.record("not redeemed")
                return
            }
            #expect(code.status == .redeemed && code.redeemedAt == at && code.customerID == "ann")
            #expect(
                try await store.redeemVoucherCode(projectID: pool.projectID, canonicalCode: "R-1", at: at)
                    == .alreadyRedeemed(code))
            guard case .notAssigned = try await store.redeemVoucherCode(projectID: pool.projectID, canonicalCode: "R-2", at: at)
            else {
                Issue.record("an available code was redeemed")
                return
            }
            #expect(try await store.redeemVoucherCode(projectID: pool.projectID, canonicalCode: "NOPE", at: at) == .codeNotFound)
            #expect(try await store.redeemVoucherCode(projectID: "acme", canonicalCode: "R-1", at: at) == .codeNotFound)
            let counted = try #require(try await store.voucherPool(projectID: pool.projectID, id: pool.id))
            #expect(counted.total == 3 && counted.available == 2 && counted.assigned == 0 && counted.redeemed == 1)
        }
    }

    @Test(arguments: StoreFactory.all)
    func pagesCoverThePoolOnceAndStatusFiltersAgreeWithTheCounts(_ factory: StoreFactory) async throws {
        try await withVoucherStore(factory) { store async throws in
            let pool = try await store.makePool("P", 95)
            for index in 0..<30 { _ = try await store.assignVoucherCode(Fixtures.assignment(pool, customer: "c\(index)")) }
            for index in stride(from: 1, through: 30, by: 3) {
                _ = try await store.redeemVoucherCode(projectID: pool.projectID, canonicalCode: "P-\(index)", at: Fixtures.t0)
            }
            // More codes after some were handed out: they join the available tail.
            _ = try await store.addVoucherCodes(projectID: pool.projectID, poolID: pool.id, codes: Fixtures.voucherTexts("Q", 5))

            for status in [nil] + VoucherStatus.allCases.map(Optional.some) {
                var seen: [VoucherCode] = []
                var skip: Int64 = 0
                var matched: Int64 = -1
                while true {
                    let page = try #require(
                        try await store.voucherCodes(
                            projectID: pool.projectID, poolID: pool.id, status: status, skip: skip, limit: 7))
                    matched = page.pool.count(of: status)
                    if page.codes.isEmpty { break }
                    seen += page.codes
                    skip += Int64(page.codes.count)
                }
                #expect(Int64(seen.count) == matched, "status \(String(describing: status))")
                #expect(Set(seen.map(\.code)).count == seen.count)
                #expect(seen.map(\.sequence) == seen.map(\.sequence).sorted())
                if let status { #expect(seen.allSatisfy { $0.status == status }) }
                let exported = try #require(
                    try await store.voucherCodes(
                        projectID: pool.projectID, poolID: pool.id, status: status, afterSequence: 0, limit: 1000))
                #expect(exported == seen)
            }
            let counted = try #require(try await store.voucherPool(projectID: pool.projectID, id: pool.id))
            #expect(counted.total == 100 && counted.available == 70 && counted.assigned == 20 && counted.redeemed == 10)
        }
    }

    @Test(arguments: StoreFactory.all)
    func deletingAPoolTakesItsCodesAndFreesTheirTexts(_ factory: StoreFactory) async throws {
        try await withVoucherStore(factory) { store async throws in
            let pool = try await store.makePool("D", 4)
            #expect(try await store.deleteVoucherPool(projectID: "acme", id: pool.id) == nil)
            #expect(try await store.deleteVoucherPool(projectID: pool.projectID, id: pool.id) == 4)
            #expect(try await store.voucherPool(projectID: pool.projectID, id: pool.id) == nil)
            #expect(try await store.deleteVoucherPool(projectID: pool.projectID, id: pool.id) == nil)
            let again = Fixtures.pool()
            try await store.insertVoucherPool(again)
            let added = try await store.addVoucherCodes(
                projectID: again.projectID, poolID: again.id, codes: Fixtures.voucherTexts("D", 4))
            #expect(added == VoucherAddResult(added: 4, duplicates: 0))
        }
    }
}
