import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// PostgreSQL as a restore and drill target: databases are created and dropped
/// with `psql`, and a dump loads through `pg_restore --exit-on-error
/// --single-transaction`, so a failed restore leaves nothing half-loaded.
extension PostgresSource: DatabaseEngine {
  /// Runs one statement in `database` and returns its unaligned output.
  func sql(_ statement: String, in database: String = "postgres") throws -> String {
    let output = try tool.capture(
      try pgRun("psql", ["-AtX", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", statement]))
    return output.trimmingCharacters(in: .whitespacesAndNewlines)
  }

  public func exists(_ database: String) throws -> Bool {
    try sql("SELECT count(*) FROM pg_database WHERE datname = \(SQLText.postgresLiteral(database))") == "1"
  }

  public func tableCount(_ database: String) throws -> Int {
    let count = try sql(
      """
      SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      """, in: database)
    return Int(count) ?? 0
  }

  public func create(_ database: String) throws {
    _ = try sql("CREATE DATABASE \(SQLText.postgresIdentifier(database))")
  }

  /// Runs the definition recorded at backup (`pg_dump --create` of no schema)
  /// when restoring under the original name: the database gets back its owner,
  /// encoding, locale, ACL and `ALTER DATABASE/ROLE … SET` settings. The roles it
  /// names must exist: `globals` is restored first.
  public func create(_ database: String, for item: BackupItem) throws {
    guard let definition = item.recovery?.databaseSQL, self.database(of: item) == database else {
      return try create(database)
    }
    let run = try pgRun("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", "postgres"])
    defer { run.privateFiles?.remove() }
    let process = try tool.runner.start(
      run.argv, environment: run.environment, captureOutput: false, feedInput: true)
    do {
      try process.write(Data(definition.utf8))
    } catch {
      // psql's own message says more than a broken pipe.
      process.closeInput()
      try process.checkSuccess()
      throw error
    }
    process.closeInput()
    try process.checkSuccess()
  }

  public func drop(_ database: String) throws {
    _ = try sql("DROP DATABASE IF EXISTS \(SQLText.postgresIdentifier(database)) WITH (FORCE)")
  }

  public func loadRun(into database: String) throws -> ToolRun {
    try pgRun("pg_restore", ["--exit-on-error", "--single-transaction", "-d", database])
  }
}
