/// The configuration's spelling table: the source types this tool has, how
/// `type:` names each, and how each entry is read. What a type does with its
/// settings lives with its engine (DatamancyOperations/Engines).
extension SourceType {
  public static let builtIn: [SourceType] = [
    .files, .command, .postgres, .postgresPITR, .mariadb, .ldap, .redis,
  ]

  public static let files = SourceType(
    names: ["files"],
    keys: ["paths", "exclude", "exclude_if_present", "exclude_larger_than", "one_file_system"]
  ) { entry in
    let paths = try entry.required("paths", "the folders to back up")
    let folders = try paths.strings(single: true)
    guard !folders.isEmpty else { throw paths.error("list at least one folder") }
    var settings = FilesSettings(paths: folders, exclude: try entry.value("exclude")?.strings() ?? [])
    settings.excludeIfPresent = try entry.value("exclude_if_present")?.strings(single: true) ?? []
    settings.excludeLargerThan = try entry.value("exclude_larger_than")?.size()
    settings.oneFileSystem = try entry.value("one_file_system")?.bool() ?? false
    return settings
  }

  public static let command = SourceType(names: ["command"], keys: ["command"]) { entry in
    let command = try entry.required("command", "the program and its arguments, as a list")
    let argv = try command.strings()
    guard !argv.isEmpty else { throw command.error("the command needs at least a program name") }
    return CommandSettings(argv: argv)
  }

  public static let postgres = SourceType(
    names: ["postgres", "postgresql"], keys: Connection.keys.union(["databases", "exclude", "globals"])
  ) { entry in
    PostgresSettings(
      connection: try Connection.parse(
        entry.entries, tools: ["pg_dump", "pg_dumpall", "psql", "pg_restore"]),
      databases: try DatabaseSelection.parse(entry.entries, node: entry.node),
      globals: try entry.value("globals")?.bool() ?? true)
  }

  /// The connection keys of `postgres` (a user with REPLICATION).
  public static let postgresPITR = SourceType(
    names: ["postgres_pitr"], keys: Connection.keys.union(["data_directory", "server_stop", "server_start"])
  ) { entry in
    var settings = PostgresPITRSettings(
      connection: try Connection.parse(
        entry.entries,
        tools: ["pg_basebackup", "psql", "pg_verifybackup", "pg_waldump", "postgres", "pg_ctl"]))
    settings.dataDirectory = try entry.value("data_directory")?.string()
    for (key, path) in [("server_stop", \PostgresPITRSettings.stopCommand), ("server_start", \.startCommand)]
    {
      guard let node = entry.value(key) else { continue }
      let argv = try node.strings()
      guard !argv.isEmpty else { throw node.error("give the program and its arguments, as a list") }
      settings[keyPath: path] = argv
    }
    return settings
  }

  public static let mariadb = SourceType(
    names: ["mariadb", "mysql"], keys: Connection.keys.union(["databases", "exclude"])
  ) { entry in
    MariaDBSettings(
      connection: try Connection.parse(entry.entries, tools: ["mariadb-dump", "mariadb"]),
      databases: try DatabaseSelection.parse(entry.entries, node: entry.node))
  }

  public static let ldap = SourceType(
    names: ["ldap"],
    keys: Connection.keys.union([
      "method", "config", "config_dir", "database", "base", "url", "bind_dn", "schemas",
    ])
  ) { entry in
    let methodNode = entry.value("method")
    guard let method = LDAPSettings.Method(rawValue: try methodNode?.string() ?? "slapcat") else {
      throw methodNode!.error("expected slapcat or ldapsearch")
    }
    var settings = LDAPSettings(
      method: method,
      connection: try Connection.parse(
        entry.entries, tools: ["slapcat", "ldapsearch", "slapadd", "slapd", "ldapadd", "ldapdelete"]),
      configFile: try entry.text("config"), configDirectory: try entry.text("config_dir"),
      databaseNumber: try entry.value("database")?.int(in: 0...99),
      base: try entry.text("base"), url: try entry.text("url"), bindDN: try entry.text("bind_dn"),
      schemas: try entry.value("schemas")?.strings(single: true))
    if method == .ldapsearch {
      if settings.url == nil, let host = settings.connection.host {
        settings.url = "ldap://\(host):\(settings.connection.port ?? 389)/"
      }
      guard settings.url != nil else { throw entry.error("ldapsearch needs 'url' (or 'host' and 'port')") }
      guard settings.base != nil else { throw entry.error("ldapsearch needs 'base', the suffix to export") }
    }
    return settings
  }

  public static let redis = SourceType(
    names: ["redis"], keys: Connection.keys.union(["tls", "ca_file", "cert_file", "key_file"])
  ) { entry in
    RedisSettings(
      connection: try Connection.parse(
        entry.entries, tools: ["redis-cli", "redis-server", "redis-check-rdb"]),
      tls: try entry.value("tls")?.bool() ?? false,
      caFile: try entry.text("ca_file"), certFile: try entry.text("cert_file"),
      keyFile: try entry.text("key_file"))
  }
}
