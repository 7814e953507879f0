import DiscountCore
import DiscountStore
import PostgresNIO

extension PostgresStore {
    public func insertProject(_ project: Project, options: WriteOptions<Void>) async throws {
        try await write(options: options) { transaction in
            do {
                try await transaction.rows(
                    """
                    INSERT INTO projects (id, name, created_at) VALUES (\(project.id), \(project.name), \(project.createdAt))
                    """)
            } catch  where PostgresErrors.isUniqueViolation(error) {
                throw PostgresErrors.constraint(error) == "projects_name_key"
                    ? StoreError.conflict("project name \(project.name)")
                    : StoreError.conflict("project \(project.id)")
            }
            transaction.changed(.project, project.id, project.id)
        }
    }

    public func project(id: String) async throws -> Project? {
        try await rows("SELECT \(unescaped: PostgresRows.projectColumns) FROM projects WHERE id = \(id)")
            .first.map { try $0.read(PostgresRows.project) }
    }

    public func projects() async throws -> [Project] {
        try await rows("SELECT \(unescaped: PostgresRows.projectColumns) FROM projects ORDER BY id").map {
            try $0.read(PostgresRows.project)
        }
    }
}
