extension SourceConfig {
  static func parsePostgres(_ node: ConfigNode, _ entries: [(key: String, value: ConfigNode)]) throws
    -> PostgresSettings
  {
    try allow(Connection.keys.union(["databases", "exclude", "globals"]), in: node)
    return PostgresSettings(
      connection: try Connection.parse(entries, tools: ["pg_dump", "pg_dumpall", "psql", "pg_restore"]),
      databases: try DatabaseSelection.parse(entries, node: node),
      globals: try entries.first { $0.key == "globals" }?.value.bool() ?? true)
  }

  /// `postgres_pitr`: the connection keys of `postgres` (a user with REPLICATION).
  static func parsePostgresPITR(_ node: ConfigNode, _ entries: [(key: String, value: ConfigNode)]) throws
    -> PostgresSettings
  {
    try allow(Connection.keys, in: node)
    return PostgresSettings(
      connection: try Connection.parse(
        entries, tools: ["pg_basebackup", "psql", "pg_verifybackup", "pg_waldump", "postgres"]),
      databases: .all(exclude: []), globals: false)
  }

  static func parseMariaDB(_ node: ConfigNode, _ entries: [(key: String, value: ConfigNode)]) throws
    -> MariaDBSettings
  {
    try allow(Connection.keys.union(["databases", "exclude"]), in: node)
    return MariaDBSettings(
      connection: try Connection.parse(entries, tools: ["mariadb-dump", "mariadb"]),
      databases: try DatabaseSelection.parse(entries, node: node))
  }

  static func parseLDAP(_ node: ConfigNode, _ entries: [(key: String, value: ConfigNode)]) throws
    -> LDAPSettings
  {
    try allow(
      Connection.keys.union([
        "method", "config", "config_dir", "database", "base", "url", "bind_dn", "schemas",
      ]),
      in: node)
    let methodNode = entries.first { $0.key == "method" }?.value
    guard let method = LDAPSettings.Method(rawValue: try methodNode?.string() ?? "slapcat") else {
      throw methodNode!.error("expected slapcat or ldapsearch")
    }
    func text(_ key: String) throws -> String? { try entries.first { $0.key == key }?.value.string() }
    var settings = LDAPSettings(
      method: method,
      connection: try Connection.parse(entries, tools: ["slapcat", "ldapsearch", "slapadd", "slapd"]),
      configFile: try text("config"), configDirectory: try text("config_dir"),
      databaseNumber: try entries.first { $0.key == "database" }?.value.int(in: 0...99),
      base: try text("base"), url: try text("url"), bindDN: try text("bind_dn"),
      schemas: try entries.first { $0.key == "schemas" }?.value.strings(single: true))
    if method == .ldapsearch {
      if settings.url == nil, let host = settings.connection.host {
        settings.url = "ldap://\(host):\(settings.connection.port ?? 389)/"
      }
      guard settings.url != nil else { throw node.error("ldapsearch needs 'url' (or 'host' and 'port')") }
      guard settings.base != nil else { throw node.error("ldapsearch needs 'base', the suffix to export") }
    }
    return settings
  }

  static func parseRedis(_ node: ConfigNode, _ entries: [(key: String, value: ConfigNode)]) throws
    -> RedisSettings
  {
    try allow(Connection.keys.union(["tls", "ca_file", "cert_file", "key_file"]), in: node)
    func text(_ key: String) throws -> String? { try entries.first { $0.key == key }?.value.string() }
    return RedisSettings(
      connection: try Connection.parse(entries, tools: ["redis-cli", "redis-server", "redis-check-rdb"]),
      tls: try entries.first { $0.key == "tls" }?.value.bool() ?? false,
      caFile: try text("ca_file"), certFile: try text("cert_file"), keyFile: try text("key_file"))
  }
}
