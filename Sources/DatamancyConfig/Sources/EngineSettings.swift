/// How to reach a database engine and run its tools.
public struct Connection: Sendable, Equatable {
  public var host: String?
  public var port: Int?
  /// A Unix socket (PostgreSQL: its folder; MariaDB: the socket file).
  public var socket: String?
  public var user: String?
  public var password: SecretReference?
  /// Run the tools inside this container (`docker exec -i NAME ...`).
  public var container: String?
  /// Paths of the tools, by tool name (`pg_dump: /usr/lib/postgresql/16/bin/pg_dump`).
  public var tools: [String: String] = [:]

  public init() {}

  /// One spelling of the server's address (`postgresql://SOCKET:PORT`), so
  /// that two sources of one server compare equal.
  public func endpoint(scheme: String, defaultPort: Int) -> String {
    let inside = container.map { "container/\($0)/" } ?? ""
    return "\(scheme)://\(inside)\(socket ?? host ?? "localhost"):\(port ?? defaultPort)"
  }

  /// The keys a connection is read from.
  public static let keys: Set<String> = ["host", "port", "socket", "user", "password", "container", "tools"]

  public static func parse(_ entries: [(key: String, value: ConfigNode)], tools allowed: Set<String>) throws
    -> Connection
  {
    var connection = Connection()
    for (key, value) in entries {
      switch key {
      case "host": connection.host = try value.string()
      case "port": connection.port = try value.int(in: 1...65535)
      case "socket": connection.socket = try value.string()
      case "user": connection.user = try value.string()
      case "password": connection.password = try SecretReference.parse(value)
      case "container": connection.container = try value.string()
      case "tools":
        for (tool, path) in try value.mapping(allowed: allowed) { connection.tools[tool] = try path.string() }
      default: break
      }
    }
    return connection
  }
}

/// Which databases a source dumps: every one the server has (minus `exclude`), or a list.
public enum DatabaseSelection: Sendable, Equatable {
  case all(exclude: [String])
  case list([String])

  public static func parse(_ entries: [(key: String, value: ConfigNode)], node: ConfigNode) throws
    -> DatabaseSelection
  {
    let exclude = try entries.first { $0.key == "exclude" }?.value.strings() ?? []
    guard let databases = entries.first(where: { $0.key == "databases" })?.value else {
      return .all(exclude: exclude)
    }
    if case .scalar = databases.node, try databases.string() == "all" { return .all(exclude: exclude) }
    let names = try databases.strings()
    guard !names.isEmpty else { throw databases.error("list at least one database, or write 'all'") }
    if !exclude.isEmpty { throw node.error("'exclude' applies only to 'databases: all'") }
    return .list(names)
  }
}

/// `type: postgres`.
public struct PostgresSettings: ConnectionSettings, Equatable {
  public var connection: Connection
  public var databases: DatabaseSelection
  /// Also dump roles and tablespaces (`pg_dumpall --globals-only`) as `SOURCE/globals`.
  public var globals: Bool

  public init(connection: Connection, databases: DatabaseSelection, globals: Bool) {
    self.connection = connection
    self.databases = databases
    self.globals = globals
  }
}

/// `type: postgres_pitr`: a whole cluster, its base backups as items and its
/// WAL pushed by `wal-push`.
public struct PostgresPITRSettings: ConnectionSettings, Equatable {
  public var connection: Connection
  /// Where `recover` puts the cluster; nil: the running server's `data_directory`.
  public var dataDirectory: String?
  /// How `recover` stops and starts the server around replacing its data
  /// folder (`[systemctl, stop, postgresql@16-main]`); nil: `pg_ctl` as the
  /// folder's owner, with the options the server was started with.
  public var stopCommand: [String]?
  public var startCommand: [String]?

  public init(connection: Connection) { self.connection = connection }
}

/// `type: mariadb` (or `mysql`).
public struct MariaDBSettings: ConnectionSettings, Equatable {
  public var connection: Connection
  public var databases: DatabaseSelection
}

/// `type: ldap`.
public struct LDAPSettings: ConnectionSettings, Equatable {
  public enum Method: String, Sendable { case slapcat, ldapsearch }
  public var method: Method
  public var connection: Connection
  /// slapcat: `-f FILE` or `-F DIR`.
  public var configFile: String?
  public var configDirectory: String?
  /// slapcat `-n N`.
  public var databaseNumber: Int?
  /// slapcat `-b`, ldapsearch `-b`.
  public var base: String?
  /// ldapsearch: `ldap://host:port/` or `ldaps://...`.
  public var url: String?
  public var bindDN: String?
  /// Schema files a drill's scratch slapd includes; nil for Debian's core,
  /// cosine, inetorgperson and nis.
  public var schemas: [String]?
}

/// `type: redis`.
public struct RedisSettings: ConnectionSettings, Equatable {
  public var connection: Connection
  public var tls = false
  public var caFile: String?
  public var certFile: String?
  public var keyFile: String?
}
