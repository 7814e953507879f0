import DiscountCore
import DiscountStore

private enum SQL {
    static let insert = "INSERT INTO projects (id, name, created_at) VALUES (?1, ?2, ?3)"
    static let byID = "SELECT \(SQLiteRows.projectColumns) FROM projects WHERE id = ?1"
    static let all = "SELECT \(SQLiteRows.projectColumns) FROM projects ORDER BY id"
}

extension SQLiteStore {
    public func insertProject(_ project: Project, options: WriteOptions<Void>) async throws {
        try await write(options: options) { db in
            do {
                try db.withStatement(SQL.insert) { s in
                    try s.bindAll(project.id, project.name, project.createdAt)
                    try s.run()
                }
            } catch let error as SQLiteError where error.isUniqueViolation {
                throw error.involves("projects.name")
                    ? StoreError.conflict("project name \(project.name)")
                    : StoreError.conflict("project \(project.id)")
            }
        }
    }

    public func project(id: String) async throws -> Project? {
        try read { db in
            try db.withStatement(SQL.byID) { s in
                try s.bind(1, id)
                return try s.step() ? SQLiteRows.project(s) : nil
            }
        }
    }

    public func projects() async throws -> [Project] {
        try read { db in
            try db.withStatement(SQL.all) { s in
                var projects: [Project] = []
                while try s.step() { projects.append(SQLiteRows.project(s)) }
                return projects
            }
        }
    }
}
