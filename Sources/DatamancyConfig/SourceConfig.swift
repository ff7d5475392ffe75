/// One entry under `sources:`.
public struct SourceConfig: Sendable {
  public enum Kind: Sendable, Equatable {
    /// Folders stored as file trees, one item per folder.
    case files(FilesSettings)
    /// A program whose standard output is the item.
    case command(argv: [String])
    case postgres(PostgresSettings)
    /// A PostgreSQL cluster for point-in-time recovery: base backups as items,
    /// its WAL pushed by `wal-push`.
    case postgresPITR(PostgresSettings)
    case mariadb(MariaDBSettings)
    case ldap(LDAPSettings)
    case redis(RedisSettings)
  }

  public var name: String
  public var kind: Kind
  /// How old the newest good backup may be, in seconds (`rpo: 24h`).
  public var rpoSeconds: Double?
  /// This source's own retention rules, replacing the top level's.
  public var retention: RetentionSettings?
  /// The line of the source's entry, for messages.
  public var line: Int?

  static let types = [
    "files", "command", "postgres", "postgresql", "postgres_pitr", "mariadb", "mysql", "ldap", "redis",
  ]

  static func parse(name: String, _ node: ConfigNode) throws -> SourceConfig {
    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
      throw node.error("source names may use letters, digits, '-', '_' and '.'")
    }
    let entries = try node.mapping()
    guard let typeNode = entries.first(where: { $0.key == "type" })?.value else {
      throw node.error("missing key 'type' (one of \(types.joined(separator: ", ")))")
    }
    let type = try typeNode.string()
    let kind: Kind
    switch type {
    case "files": kind = try parseFiles(node, entries)
    case "command": kind = try parseCommand(node, entries)
    case "postgres", "postgresql": kind = .postgres(try parsePostgres(node, entries))
    case "postgres_pitr": kind = .postgresPITR(try parsePostgresPITR(node, entries))
    case "mariadb", "mysql": kind = .mariadb(try parseMariaDB(node, entries))
    case "ldap": kind = .ldap(try parseLDAP(node, entries))
    case "redis": kind = .redis(try parseRedis(node, entries))
    default:
      throw typeNode.error("unknown source type '\(type)'; expected one of \(types.joined(separator: ", "))")
    }
    var source = SourceConfig(name: name, kind: kind, line: node.line)
    if let rpo = entries.first(where: { $0.key == "rpo" })?.value {
      let seconds = try rpo.duration(examples: "24h, 36h or 7d")
      source.rpoSeconds = seconds
    }
    if let retention = entries.first(where: { $0.key == "retention" })?.value {
      source.retention = try RetentionSettings.parse(retention)
      if source.retention!.auto { throw retention.error("'auto' belongs in the top-level retention") }
    }
    return source
  }

  /// Rejects keys outside `specific` and the keys every source has.
  static func allow(_ specific: Set<String>, in node: ConfigNode) throws {
    _ = try node.mapping(allowed: specific.union(["type", "rpo", "retention"]))
  }

  static func required(
    _ key: String, _ entries: [(key: String, value: ConfigNode)], in node: ConfigNode, _ why: String
  )
    throws -> ConfigNode
  {
    guard let value = entries.first(where: { $0.key == key })?.value else {
      throw node.error("missing key '\(key)' (\(why))")
    }
    return value
  }

  static func parseFiles(_ node: ConfigNode, _ entries: [(key: String, value: ConfigNode)]) throws -> Kind {
    try allow(["paths", "exclude", "exclude_if_present", "exclude_larger_than", "one_file_system"], in: node)
    let paths = try required("paths", entries, in: node, "the folders to back up")
    let folders = try paths.strings(single: true)
    guard !folders.isEmpty else { throw paths.error("list at least one folder") }
    func value(_ key: String) -> ConfigNode? { entries.first { $0.key == key }?.value }
    var settings = FilesSettings(paths: folders, exclude: try value("exclude")?.strings() ?? [])
    settings.excludeIfPresent = try value("exclude_if_present")?.strings(single: true) ?? []
    settings.excludeLargerThan = try value("exclude_larger_than")?.size()
    settings.oneFileSystem = try value("one_file_system")?.bool() ?? false
    return .files(settings)
  }

  static func parseCommand(_ node: ConfigNode, _ entries: [(key: String, value: ConfigNode)]) throws -> Kind {
    try allow(["command"], in: node)
    let command = try required("command", entries, in: node, "the program and its arguments, as a list")
    let argv = try command.strings()
    guard !argv.isEmpty else { throw command.error("the command needs at least a program name") }
    return .command(argv: argv)
  }
}

extension SourceConfig {
  /// The engine's name as the configuration's `type` spells it.
  public var engine: String {
    switch kind {
    case .files: "files"
    case .command: "command"
    case .postgres: "postgres"
    case .postgresPITR: "postgres_pitr"
    case .mariadb: "mariadb"
    case .ldap: "ldap"
    case .redis: "redis"
    }
  }
}
