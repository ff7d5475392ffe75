import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// MariaDB and MySQL: one item per database, `mariadb-dump --single-transaction
/// --routines --triggers --events` (a consistent snapshot of InnoDB tables without
/// locking them), fingerprinted and checked for its completion trailer as it streams.
public struct MariaDBSource: SourcePlanner, Sendable {
  public var name: String
  public var settings: MariaDBSettings
  public let tool: EngineTool

  /// Schemas the server computes; never dumped by `databases: all`.
  static let systemSchemas: Set<String> = ["information_schema", "performance_schema", "sys"]

  public init(name: String, settings: MariaDBSettings, runner: any ProcessRunner, secrets: SecretResolver) {
    self.name = name
    self.settings = settings
    tool = EngineTool(connection: settings.connection, runner: runner, secrets: secrets)
  }

  public func items() throws -> [PlannedItem] {
    let databases: [String]
    do {
      databases = try self.databases()
    } catch {
      return [.failing("\(name)/databases", source: name, content: .mariadbDump, error)]
    }
    return databases.map { item(for: $0, rowHash: .current) }
  }

  /// The item of one database: a `mariadb-dump` of it, checked and fingerprinted as it streams.
  public func item(for database: String, rowHash: RowHash.Version) -> PlannedItem {
    let run: @Sendable () throws -> ToolRun = {
      try mariaRun(
        "mariadb-dump",
        ["--single-transaction", "--routines", "--triggers", "--events", "--hex-blob", "--", database])
    }
    return PlannedItem(name: "\(name)/\(database)", source: name, format: .stream, content: .mariadbDump) {
      [tool] in
      try tool.start(try run(), inspector: MariaDBDumpInspector(rowHash: rowHash))
    }
  }

  func databases() throws -> [String] {
    switch settings.databases {
    case .list(let names): return names
    case .all(let exclude):
      let listing: String
      do {
        listing = try tool.capture(
          try mariaRun("mariadb", ["--batch", "--skip-column-names", "-e", "SHOW DATABASES"]))
      } catch {
        throw SourceError.databaseList(source: name, reason: "\(error)")
      }
      return listing.split(separator: "\n").map(String.init)
        .filter { !Self.systemSchemas.contains($0) && !exclude.contains($0) }
    }
  }

  /// A MariaDB client tool with the connection's options. The password goes through
  /// a private `--defaults-extra-file` (which must be the first option), or
  /// MYSQL_PWD forwarded into a container; never argv.
  public func mariaRun(_ program: String, _ arguments: [String]) throws -> ToolRun {
    let connection = settings.connection
    var options: [String] = []
    var environment: [String: String] = [:]
    var files: PrivateFiles?
    let transport = try tool.passwordTransport(variable: "MYSQL_PWD", fileName: "client.cnf") { password in
      let escaped = password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
        of: "\"", with: "\\\"")
      return "[client]\npassword=\"\(escaped)\"\n"
    }
    switch transport {
    case .variable(let name, let value): environment[name] = value
    case .file(let path, let privateFiles):
      options.append("--defaults-extra-file=" + path)
      files = privateFiles
    case nil: break
    }
    if let socket = connection.socket { options += ["--socket", socket] }
    if let host = connection.host { options += ["--host", host, "--protocol", "tcp"] }
    if let port = connection.port { options += ["--port", String(port)] }
    if let user = connection.user { options += ["--user", user] }
    if program == "mariadb" { options.append("--connect-timeout=10") }  // mariadb-dump has no such option
    return tool.run(program, options + arguments, environment: environment, files: files)
  }
}
