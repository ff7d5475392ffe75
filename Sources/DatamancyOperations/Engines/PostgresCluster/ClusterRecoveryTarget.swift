import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// A `postgres_pitr` cluster brought back whole onto the configured server: the
/// base backup before the target extracted beside the server's data folder
/// while the server still runs, then the server stopped, the folders swapped,
/// and the server started to recover through `wal-fetch` to the target and
/// promote, with archiving into the same source switched back on, so that the
/// new timeline's `.history` is archived and the next backup finds no gap.
final class ClusterRecoveryTarget: RecoveryTarget {
  let source: String
  let settings: PostgresPITRSettings
  let context: RecoveryContext
  let server: String?
  let replacesServer = true
  let target: PointInTimeRestore.Target
  /// The base backup and WAL for the target, or why the archive cannot reach it.
  let planned: Result<PointInTimeRestore.Plan, any Error>
  /// Whether the server held anything when inspected: its replaced data folder is then kept.
  private var occupied = false

  init(source: String, settings: PostgresPITRSettings, context: RecoveryContext, server: String) {
    self.source = source
    self.settings = settings
    self.context = context
    self.server = server
    target = context.pointInTime
    let restore = PointInTimeRestore(
      repository: context.repository, context: context.operations, source: source)
    planned = Result { try restore.plan(context.pointInTime) }
  }

  var description: String { "the cluster at \(server ?? source), to \(target)" }

  var chosenCopy: (set: BackupSet, item: BackupItem)? {
    (try? planned.get()).map { ($0.window.base.set, $0.window.base.item) }
  }

  /// The configured connection, as a client of the server's `postgres` database.
  var client: PostgresSource {
    let plain = PostgresSettings(
      connection: settings.connection, databases: .all(exclude: []), globals: false)
    return PostgresSource(
      name: source, settings: plain, runner: context.operations.runner, secrets: context.operations.secrets)
  }

  /// A new server has no database but its own three, no role of its own and no
  /// table; anything else is occupied. A target the archive cannot reach, or a
  /// server that does not answer, fails here, before anything changes.
  func occupant() throws -> String? {
    _ = try planned.get()
    let counts = try client.sql(
      "SELECT (SELECT count(*) FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1'))"
        + " || ' ' || (SELECT count(*) FROM pg_roles WHERE oid >= 16384) || ' ' || (SELECT count(*) FROM"
        + " pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'v', 'm')"
        + " AND n.nspname NOT IN ('pg_catalog', 'information_schema'))"
    ).split(separator: " ").map { Int($0) }
    guard counts.count == 3, let databases = counts[0], let roles = counts[1], let tables = counts[2] else {
      throw PointInTimeRestore.Refused(
        description: "\(source): the server's catalog answered in an unknown shape")
    }
    let parts = [
      databases > 0 ? Formatting.count(databases, "database") : nil,
      roles > 0 ? Formatting.count(roles, "role") : nil,
      tables > 0 ? Formatting.count(tables, "table") + " in postgres" : nil,
    ].compactMap { $0 }
    occupied = !parts.isEmpty
    return parts.isEmpty ? nil : parts.joined(separator: ", ")
  }

  /// A cluster is not saved through this tool (its backups need archiving,
  /// which a new server lacks): its data folder is kept aside instead.
  func preserve() throws -> String? { nil }

  /// The folder is replaced whole by `restore`.
  func clear() throws {}

  func restore(_ item: BackupItem, of set: BackupSet) throws {
    let data = try dataFolder()
    let version = try client.sql("SHOW server_version_num")
    let options = try? String(contentsOfFile: data + "/postmaster.opts", encoding: .utf8)
    let staging = data + ".recovering"
    try? FileManager.default.removeItem(atPath: staging)
    guard let configFile = context.operations.configFile else {
      throw PointInTimeRestore.Refused(
        description:
          "recovering \(source) needs a configuration file: its restore and archive commands read it")
    }
    let commands = ClusterCommands(binary: context.binary, config: configFile, source: source)
    let waldump = PostgresPrograms.path("pg_waldump", tools: settings.connection.tools, dataFolder: nil)
    let commits = WALCommits(
      repository: context.repository, runner: context.operations.runner, program: waldump)
    let outcome = try PointInTimeRestore(
      repository: context.repository, context: context.operations, source: source
    ).run(
      target, into: staging, restoreCommand: commands.restore, commits: commits,
      archiveCommand: context.archiving ? commands.archive : nil, planned: try planned.get())
    let major = try String(contentsOfFile: staging + "/PG_VERSION", encoding: .utf8)
      .trimmingCharacters(in: .whitespacesAndNewlines)
    guard let running = Int(version), String(running / 10000) == major else {
      try? FileManager.default.removeItem(atPath: staging)
      throw PointInTimeRestore.Refused(
        description: "the server is PostgreSQL \(version) and the base backup \(major): start an empty "
          + "PostgreSQL \(major) server for \(source) and run recover again")
    }
    if let options {
      // `pg_ctl restart` starts the server with these when it is not running.
      try Data(options.utf8).write(to: URL(fileURLWithPath: staging + "/postmaster.opts"))
    }
    // A base backup of a cluster configured outside its folder (Debian's
    // /etc/postgresql) has no configuration files: this server's are kept.
    for file in ["postgresql.conf", "pg_hba.conf", "pg_ident.conf"]
    where !FileManager.default.fileExists(atPath: staging + "/" + file)
      && FileManager.default.fileExists(atPath: data + "/" + file)
    {
      try FileManager.default.copyItem(atPath: data + "/" + file, toPath: staging + "/" + file)
    }
    let owner = try ServerProcess.owner(of: data)
    try ServerProcess.chown(staging, to: owner, runner: context.operations.runner)
    try preflight(commands.restore, segment: outcome.plan.segments.first, in: staging, owner: owner)
    try stop(data, owner: owner)
    // Never over a folder an earlier recovery kept aside.
    var aside = data + ".before-recover"
    if FileManager.default.fileExists(atPath: aside) {
      aside += "-" + String(Int(context.operations.now().timeIntervalSince1970))
    }
    guard rename(data, aside) == 0 else {
      throw PointInTimeRestore.Refused(
        description: "cannot move \(data) aside: \(String(cString: strerror(errno))); start the server again")
    }
    guard rename(staging, data) == 0 else {
      let reason = String(cString: strerror(errno))
      _ = rename(aside, data)
      throw PointInTimeRestore.Refused(
        description: "cannot move the recovered folder to \(data): \(reason); the old folder is back, "
          + "start the server again")
    }
    try start(data, owner: owner)
    try waitForPromotion(data)
    if occupied {
      context.operations.logger.warning("\(source): the replaced data folder is kept at \(aside)")
    } else {
      try? FileManager.default.removeItem(atPath: aside)
    }
    context.operations.logger.info(
      "\(source): recovered from set \(outcome.plan.window.base.set.shortID) to \(outcome.target)")
  }

  /// Fetches the first segment as the server will, as its user, before the
  /// server is stopped: a configuration file or repository that user cannot
  /// read fails here, not as a server that will not start.
  func preflight(
    _ restoreCommand: String, segment: WALSegment?, in staging: String, owner: ServerProcess.Owner
  )
    throws
  {
    guard let segment else { return }
    let probe = staging + "/datamancy-preflight"
    defer { try? FileManager.default.removeItem(atPath: probe) }
    let command = restoreCommand.replacingOccurrences(
      of: " %f %p", with: " \(segment.name) \(CronFile.shellQuoted(probe))")
    do {
      _ = try context.operations.runner.output(owner.run(["/bin/sh", "-c", command]))
    } catch {
      try? FileManager.default.removeItem(atPath: staging)
      throw PointInTimeRestore.Refused(
        description: "the server's user (uid \(owner.uid)) cannot fetch WAL through its restore_command "
          + "(\(error)): it must read the configuration file and the repository, with the repository "
          + "password in its environment; nothing was changed")
    }
  }

  /// The configured folder, else the one the running server reports.
  func dataFolder() throws -> String {
    if let configured = settings.dataDirectory { return configured }
    let reported = try client.sql("SHOW data_directory")
    guard reported.hasPrefix("/") else {
      throw PointInTimeRestore.Refused(
        description: "\(source): the server reports no data folder; set data_directory in the source")
    }
    return reported
  }

  func stop(_ data: String, owner: ServerProcess.Owner) throws {
    if let command = settings.stopCommand {
      _ = try context.operations.runner.output(command)
    } else if ServerProcess.postmaster(of: data) != nil {
      let pgctl = PostgresPrograms.path("pg_ctl", tools: settings.connection.tools, dataFolder: data)
      _ = try context.operations.runner.output(owner.run([pgctl, "-D", data, "-m", "fast", "-w", "stop"]))
    }
  }

  func start(_ data: String, owner: ServerProcess.Owner) throws {
    if let command = settings.startCommand {
      _ = try context.operations.runner.output(command)
      return
    }
    let log = data + "/log"
    try? FileManager.default.createDirectory(atPath: log, withIntermediateDirectories: false)
    try ServerProcess.chown(log, to: owner, runner: context.operations.runner)
    let pgctl = PostgresPrograms.path("pg_ctl", tools: settings.connection.tools, dataFolder: data)
    // Restart, not start: with no server running it starts one with the
    // options of postmaster.opts, those the replaced server ran with.
    _ = try context.operations.runner.output(
      owner.run([pgctl, "-D", data, "-l", log + "/datamancy-recover.log", "-W", "restart"]))
  }

  /// Recovery ends when the server promotes; it fails when the server exits first.
  func waitForPromotion(_ data: String) throws {
    var seenServer = false
    while true {
      if (try? client.sql("SELECT pg_is_in_recovery()")) == "f" { return }
      let alive = ServerProcess.postmaster(of: data).map { kill($0, 0) == 0 } ?? false
      if alive { seenServer = true }
      if !alive && (seenServer || settings.startCommand == nil) {
        let log = (try? String(contentsOfFile: data + "/log/datamancy-recover.log", encoding: .utf8)) ?? ""
        throw PointInTimeRestore.Refused(
          description: "the recovering server of \(source) stopped before it promoted: "
            + log.split(separator: "\n").suffix(5).joined(separator: " | "))
      }
      Thread.sleep(forTimeInterval: 0.25)
    }
  }

  /// The server is the backup's cluster (same system identifier as its WAL),
  /// promoted, archiving into this source with its timeline's history in the
  /// archive, and every database answers.
  func check(_ item: BackupItem, of set: BackupSet) throws -> [DrillCheck] {
    let plan = try planned.get()
    let found = try client.sql("SELECT system_identifier FROM pg_control_system()")
    let recorded = try plan.window.chain.contiguous.first.flatMap {
      try context.repository.getWAL(source: source, name: $0.name)
    }.flatMap { WALFile.systemID(inSegment: $0) }
    guard let recorded, String(recorded) == found else {
      return [
        DrillCheck(
          table: "cluster", expectedRows: nil, foundRows: nil, passed: false,
          detail: "system identifier \(found), the backup's \(recorded.map(String.init) ?? "unknown")")
      ]
    }
    var checks = [
      DrillCheck(
        table: "cluster", expectedRows: nil, foundRows: nil,
        passed: try client.sql("SELECT pg_is_in_recovery()") == "f",
        detail: "the backup's cluster (system identifier \(found)), promoted")
    ]
    if context.archiving { checks.append(try archiving()) }
    checks += try ClusterScratch.databaseChecks(client, item: item, database: "postgres")
    return checks
  }

  /// Archiving is on through wal-push, and the current timeline's history file
  /// (written at promotion) reaches the archive.
  func archiving() throws -> DrillCheck {
    let mode = try client.sql("SHOW archive_mode")
    let command = try client.sql("SHOW archive_command")
    let walName = try client.sql("SELECT pg_walfile_name(pg_current_wal_lsn())")
    guard mode != "off", command.contains("wal-push"), let timeline = UInt32(walName.prefix(8), radix: 16)
    else {
      return DrillCheck(
        table: "archiving", expectedRows: nil, foundRows: nil, passed: false,
        detail: "archive_mode \(mode), archive_command '\(command)': the next backups would find a WAL gap")
    }
    guard timeline > 1 else {
      return DrillCheck(
        table: "archiving", expectedRows: nil, foundRows: nil, passed: true, detail: "on, timeline 1")
    }
    let history = String(format: "%08X.history", timeline)
    // The archiver is woken when the history file is written: wait for it to be
    // stored, or for the archiver to report that it failed on it (10 minutes
    // only as a last resort, for an archiver that never tries).
    for _ in 0..<2400 {
      if try context.repository.getWAL(source: source, name: history) != nil {
        return DrillCheck(
          table: "archiving", expectedRows: nil, foundRows: nil, passed: true,
          detail: "on, timeline \(timeline), \(history) archived")
      }
      if try client.sql("SELECT coalesce(last_failed_wal, '') FROM pg_stat_archiver") == history,
        try context.repository.getWAL(source: source, name: history) == nil
      {
        break
      }
      Thread.sleep(forTimeInterval: 0.25)
    }
    let failed = (try? client.sql("SELECT coalesce(last_failed_wal, '-') FROM pg_stat_archiver")) ?? "?"
    return DrillCheck(
      table: "archiving", expectedRows: nil, foundRows: nil, passed: false,
      detail:
        "\(history) is not in the archive (the archiver's last failure: \(failed)); see the server's log")
  }
}

/// The commands a recovered cluster runs: this binary's `wal-fetch` and `wal-push`.
struct ClusterCommands {
  let restore: String
  let archive: String

  init(binary: String, config: String, source: String) {
    restore = JobCommand.restoreCommand(binary: binary, config: config, source: source)
    archive = JobCommand.archiveCommand(binary: binary, config: config, source: source)
  }
}
