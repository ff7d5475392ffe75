import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// MariaDB as a restore and drill target: databases are created and dropped with
/// the `mariadb` client, which also loads a dump and stops at its first error.
/// A dump of one database names no database, so it loads under any name.
extension MariaDBSource: DatabaseEngine {
  func sql(_ statement: String) throws -> String {
    try tool.capture(try mariaRun("mariadb", ["--batch", "--skip-column-names", "-e", statement]))
      .trimmingCharacters(in: .whitespacesAndNewlines)
  }

  public func exists(_ database: String) throws -> Bool {
    let name = SQLText.mariadbLiteral(database)
    return try sql("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = \(name)") == "1"
  }

  public func tableCount(_ database: String) throws -> Int {
    let name = SQLText.mariadbLiteral(database)
    return Int(try sql("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = \(name)")) ?? 0
  }

  public func create(_ database: String) throws {
    _ = try sql("CREATE DATABASE \(SQLText.mariadbIdentifier(database))")
  }

  public func drop(_ database: String) throws {
    _ = try sql("DROP DATABASE IF EXISTS \(SQLText.mariadbIdentifier(database))")
  }

  public func loadRun(into database: String) throws -> ToolRun {
    try mariaRun("mariadb", ["--batch", "--database=" + database])
  }
}
