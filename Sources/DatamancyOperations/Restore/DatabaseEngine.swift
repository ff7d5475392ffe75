import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// A database server that items are restored into and drilled on: a configured
/// source's own server, reached with the source's connection settings and tools.
public protocol DatabaseEngine: Sendable {
  /// The source's name (`postgres`), which prefixes its items' names.
  var name: String { get }
  /// Whether the server has a database of that name.
  func exists(_ database: String) throws -> Bool
  /// How many tables (and views) the database holds; 0 for a new one.
  func tableCount(_ database: String) throws -> Int
  func create(_ database: String) throws
  /// Creates `database` for `item`: as it was at backup (owner, encoding, ACL,
  /// settings) where the engine recorded that and the name is the original one,
  /// else as `create` does.
  func create(_ database: String, for item: BackupItem) throws
  /// Drops the database, closing other sessions on it first.
  func drop(_ database: String) throws
  /// The client that loads a dump from its standard input into `database` and
  /// stops at the first error.
  func loadRun(into database: String) throws -> ToolRun
  /// The item `backup` makes of `database`, fingerprinted with `rowHash`: a
  /// pre-restore copy is this item, and a drill fingerprints a restored copy by
  /// reading it.
  func item(for database: String, rowHash: RowHash.Version) -> PlannedItem
}

extension DatabaseEngine {
  /// The database an item of this source holds (`postgres/grafana` → `grafana`),
  /// nil for items that are not one database (`postgres/globals`).
  public func database(of item: BackupItem) -> String? {
    guard item.source == name, item.name.hasPrefix(name + "/") else { return nil }
    let database = String(item.name.dropFirst(name.count + 1))
    return database == "globals" || database == "databases" ? nil : database
  }

  public func create(_ database: String, for item: BackupItem) throws { try create(database) }

  /// The item `backup` makes of `database`.
  public func item(for database: String) -> PlannedItem { item(for: database, rowHash: .current) }

  /// Reads the database as `backup` would and returns its tables' fingerprints,
  /// computed with `rowHash` (that of the fingerprints they will be compared with).
  public func fingerprints(of database: String, rowHash: RowHash.Version) throws -> [TableFingerprint] {
    let source = try item(for: database, rowHash: rowHash).open()
    _ = try source.readToEnd(keepingAtMost: 0)
    return source.fingerprints ?? []
  }
}

/// Quoting of names and values in SQL text.
enum SQLText {
  /// A PostgreSQL identifier: `"name"`, inner quotes doubled.
  static func postgresIdentifier(_ name: String) -> String {
    "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// A PostgreSQL string literal (standard_conforming_strings, the default since 9.1).
  static func postgresLiteral(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
  }

  /// A MariaDB identifier: `` `name` ``, inner backticks doubled.
  static func mariadbIdentifier(_ name: String) -> String {
    "`" + name.replacingOccurrences(of: "`", with: "``") + "`"
  }

  /// A MariaDB string literal, backslashes and quotes escaped.
  static func mariadbLiteral(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
  }
}
