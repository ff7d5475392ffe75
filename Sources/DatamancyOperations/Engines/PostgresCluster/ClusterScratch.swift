import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A `postgres_pitr` item drilled as an operator would recover it: the base
/// backup extracted into a private data folder (its `backup_manifest` checked by
/// `pg_verifybackup`), the WAL from its start to the end of the archive fetched
/// beside it, and a private server on a free port, its socket in the same folder,
/// recovering to a random time between the base backup's end and the newest
/// archived commit. It must promote; then every database must answer, and each
/// one's tables are fingerprinted as `backup` would read them.
public final class ClusterScratch: DrillScratch {
  let repository: Repository
  let context: OperationContext
  let source: String
  let settings: PostgresPITRSettings
  private var folder: String?
  private var port = 0
  private var server: ScratchServer?
  private var role = "postgres"
  /// The time recovered to, for the report.
  public private(set) var target: PointInTimeRestore.Target = .latest

  public init(
    repository: Repository, context: OperationContext, source: String, settings: PostgresPITRSettings
  ) {
    self.repository = repository
    self.context = context
    self.source = source
    self.settings = settings
  }

  public var description: String { "a scratch postgres on port \(port), recovered to \(target)" }

  public func prepare() throws {
    folder = try scratchFolder("datamancy-drill-pitr")
    port = try Loopback.freePort()
  }

  public func restore(_ item: BackupItem, of set: BackupSet) throws {
    guard let folder else { return }
    let state = try WALArchiveState.read(repository, source: source)
    guard
      let window = PointInTimeRestore.windows(state, sets: try repository.sets()).first(where: {
        $0.base.set.id == set.id
      })
    else {
      throw DrillError.noTarget(item: item.name, reason: "no archived .backup label matches its base backup")
    }
    guard window.chain.complete else {
      throw DrillError.noTarget(
        item: item.name,
        reason: "the WAL to its end is not archived (missing \(window.chain.gaps.first ?? "?"))")
    }
    // The WAL, fetched as recovery would through wal-fetch, with every history file.
    let wal = folder + "/wal"
    try FileManager.default.createDirectory(atPath: wal, withIntermediateDirectories: false)
    let histories = state.objects.keys.filter { $0.hasSuffix(".history") }
    for name in window.chain.contiguous.map(\.name) + histories {
      guard let bytes = try repository.getWAL(source: source, name: name) else {
        throw DrillError.noTarget(item: item.name, reason: "\(name) vanished from the archive")
      }
      try bytes.write(to: URL(fileURLWithPath: wal + "/" + name))
    }
    let data = folder + "/data"
    try PointInTimeRestore.extract(window.base, into: data, repository: repository, context: context)
    try verifyManifest(data)
    let tools = settings.connection.tools
    let waldump = PostgresPrograms.path("pg_waldump", tools: tools, dataFolder: data)
    let newest = try WALCommits(repository: repository, runner: context.runner, program: waldump)
      .newest(in: window.chain.contiguous, source: source, fetched: wal)
    if let newest, newest > window.base.label.stopTime {
      let span = newest.timeIntervalSince(window.base.label.stopTime)
      target = .time(window.base.label.stopTime.addingTimeInterval(Double.random(in: 0...span)))
    }
    try PointInTimeRestore.writeRecoverySettings(
      into: data, target: target, timeline: window.chain.timeline, restoreCommand: "cp \(wal)/%f %p")
    try start(data: data, program: PostgresPrograms.path("postgres", tools: tools, dataFolder: data))
  }

  /// pg_verifybackup against the manifest pg_basebackup put in the tar, before
  /// anything in the folder changes (WAL is not in the backup: it is checked by
  /// recovery itself).
  func verifyManifest(_ data: String) throws {
    guard FileManager.default.fileExists(atPath: data + "/backup_manifest") else {
      throw DrillError.noTarget(item: "\(source)/cluster", reason: "the base backup holds no backup_manifest")
    }
    let program = PostgresPrograms.path("pg_verifybackup", tools: settings.connection.tools, dataFolder: data)
    _ = try context.runner.output([program, "--no-parse-wal", "--quiet", data])
  }

  /// The server runs as the owner PostgreSQL requires (not root), on the data
  /// folder's settings, with what would reach outside the scratch overridden:
  /// no TCP, a socket in the scratch folder, no archiving, a private access file.
  func start(data: String, program: String) throws {
    guard let folder else { return }
    let access = folder + "/pg_hba.conf"
    let ident = folder + "/pg_ident.conf"
    try Data("local all all trust\n".utf8).write(to: URL(fileURLWithPath: access))
    try Data().write(to: URL(fileURLWithPath: ident))
    if !FileManager.default.fileExists(atPath: data + "/postgresql.conf") {
      // Debian keeps it in /etc/postgresql: the defaults do for a drill.
      try Data().write(to: URL(fileURLWithPath: data + "/postgresql.conf"))
    }
    var argv = [
      program, "-D", data, "-p", String(port), "-c", "listen_addresses=", "-c",
      "unix_socket_directories=\(folder)", "-c", "hba_file=\(access)", "-c", "ident_file=\(ident)", "-c",
      "archive_mode=off", "-c", "ssl=off", "-c", "logging_collector=off", "-c", "hot_standby=off", "-c",
      "shared_preload_libraries=", "-c", "shared_buffers=128MB",
    ]
    if geteuid() == 0 {
      // Debian's packages run PostgreSQL as postgres.
      _ = try context.runner.output(["chown", "-R", "postgres:", folder])
      argv = RunAs.argv(argv, user: "postgres", group: "postgres")
      role = "postgres"
    } else {
      role = String(cString: getpwuid(geteuid()).pointee.pw_name)
    }
    let started = try ScratchServer(
      argv, name: "postgres (recovering \(source)/cluster)", runner: context.runner)
    server = started
    try started.waitReady(seconds: 3600, log: { "" }) {
      (try? sql("SELECT pg_is_in_recovery()", in: "template1")) == "f"
    }
  }

  /// A client of the scratch server: the source's tools, this folder's socket.
  var client: PostgresSource {
    var connection = Connection()
    connection.socket = folder
    connection.port = port
    connection.user = role
    connection.tools = settings.connection.tools.filter { $0.key == "psql" || $0.key == "pg_dump" }
    let scratch = PostgresSettings(connection: connection, databases: .all(exclude: []), globals: false)
    return PostgresSource(name: source, settings: scratch, runner: context.runner, secrets: context.secrets)
  }

  func sql(_ statement: String, in database: String) throws -> String {
    try client.sql(statement, in: database)
  }

  public func check(_ item: BackupItem) throws -> [DrillCheck] {
    try Self.databaseChecks(client, item: item, database: "template1")
  }

  /// Every database that takes connections answers and is fingerprinted as
  /// `backup` would read it; a server with none fails.
  static func databaseChecks(_ client: PostgresSource, item: BackupItem, database: String) throws
    -> [DrillCheck]
  {
    let databases = try client.sql(
      "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1", in: database
    ).split(separator: "\n").map(String.init)
    var checks: [DrillCheck] = []
    for database in databases {
      let tables = try client.fingerprints(of: database, rowHash: .current)
      let rows = tables.reduce(0) { $0 + $1.rows }
      checks.append(
        DrillCheck(
          table: database, expectedRows: nil, foundRows: rows, passed: true,
          detail: "answers; \(Formatting.count(tables.count, "table")) fingerprinted"))
    }
    guard !checks.isEmpty else {
      throw DrillError.noTarget(item: item.name, reason: "the recovered server has no database")
    }
    return checks
  }

  public func cleanup() throws {
    server?.stop()
    server = nil
    if let folder { try FileManager.default.removeItem(atPath: folder) }
    folder = nil
  }
}
