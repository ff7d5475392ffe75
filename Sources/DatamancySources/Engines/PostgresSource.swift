import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// PostgreSQL: one item per database, `pg_dump -Fc -Z0` (custom format,
/// uncompressed: the repository compresses and deduplicates, and a compressed dump
/// would defeat both), fingerprinted as it streams; plus `pg_dumpall
/// --globals-only` as `SOURCE/globals` (roles and tablespaces, needed to restore).
public struct PostgresSource: SourcePlanner, Sendable {
  public var name: String
  public var settings: PostgresSettings
  public let tool: EngineTool

  public init(name: String, settings: PostgresSettings, runner: any ProcessRunner, secrets: SecretResolver) {
    self.name = name
    self.settings = settings
    tool = EngineTool(connection: settings.connection, runner: runner, secrets: secrets)
  }

  public func items() throws -> [PlannedItem] {
    var items: [PlannedItem] = []
    do {
      items += try databases().map { item(for: $0, rowHash: .current) }
    } catch {
      items.append(.failing("\(name)/databases", source: name, content: .postgresArchive, error))
    }
    if settings.globals {
      let run: @Sendable () throws -> ToolRun = { try pgRun("pg_dumpall", ["--globals-only"]) }
      items.append(
        PlannedItem(name: "\(name)/globals", source: name, format: .stream, content: .postgresGlobals) {
          [tool] in
          try tool.start(try run(), inspector: nil)
        })
    }
    return items
  }

  /// The item of one database: `pg_dump -Fc -Z0`, fingerprinted as it streams,
  /// with what recreating the database needs (`recoveryFacts`).
  public func item(for database: String, rowHash: RowHash.Version) -> PlannedItem {
    let run: @Sendable () throws -> ToolRun = { try pgRun("pg_dump", ["-Fc", "-Z0", "-d", database]) }
    return PlannedItem(name: "\(name)/\(database)", source: name, format: .stream, content: .postgresArchive)
    { [tool] in
      let facts = try recoveryFacts(of: database)
      let stream = try tool.start(try run(), inspector: PostgresArchiveInspector(rowHash: rowHash))
      stream.recovery = facts
      return stream
    }
  }

  /// The database's own definition, which a dump of its contents leaves out:
  /// `pg_dump --create` of no schema prints `CREATE DATABASE` with its encoding
  /// and locale, its owner, its ACL and its `ALTER DATABASE/ROLE … SET`
  /// settings, and nothing else. Read just before the dump; its header names
  /// the server's version.
  func recoveryFacts(of database: String) throws -> RecoveryFacts {
    let definition = try tool.capture(
      try pgRun("pg_dump", ["--create", "--schema-only", "--exclude-schema=*", "-d", database]))
    return RecoveryFacts(serverVersion: Self.serverVersion(in: definition), databaseSQL: definition)
  }

  /// `15.18` from `-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)`.
  static func serverVersion(in dump: String) -> String? {
    let marker = "-- Dumped from database version "
    guard let line = dump.split(separator: "\n").first(where: { $0.hasPrefix(marker) }) else { return nil }
    return line.dropFirst(marker.count).split(separator: " ").first.map(String.init)
  }

  /// The databases to dump: the configured list, or every database that accepts
  /// connections and is not a template, minus `exclude`.
  func databases() throws -> [String] {
    switch settings.databases {
    case .list(let names): return names
    case .all(let exclude):
      let query = "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1"
      let listing: String
      do {
        listing = try tool.capture(try pgRun("psql", ["-AtX", "-d", "postgres", "-c", query]))
      } catch {
        throw SourceError.databaseList(source: name, reason: "\(error)")
      }
      return listing.split(separator: "\n").map(String.init).filter { !exclude.contains($0) }
    }
  }

  /// A PostgreSQL tool with the connection's options. The password goes through a
  /// private PGPASSFILE, or PGPASSWORD forwarded into a container; never argv.
  public func pgRun(_ program: String, _ arguments: [String]) throws -> ToolRun {
    let connection = settings.connection
    var options: [String] = ["-w"]
    if let host = connection.socket ?? connection.host { options += ["-h", host] }
    if let port = connection.port { options += ["-p", String(port)] }
    if let user = connection.user { options += ["-U", user] }
    var environment = ["PGCONNECT_TIMEOUT": "10"]
    var files: PrivateFiles?
    let transport = try tool.passwordTransport(variable: "PGPASSWORD", fileName: "pgpass") { password in
      let escaped = password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
        of: ":", with: "\\:")
      return "*:*:*:*:\(escaped)\n"
    }
    switch transport {
    case .variable(let name, let value): environment[name] = value
    case .file(let path, let privateFiles):
      environment["PGPASSFILE"] = path
      files = privateFiles
    case nil: break
    }
    return tool.run(program, options + arguments, environment: environment, files: files)
  }
}
