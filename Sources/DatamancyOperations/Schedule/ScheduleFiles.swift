import DatamancyConfig
import DatamancySources
import Foundation

/// The files a schedule consists of: systemd units and timers, or a cron file and
/// its logrotate entry; and the credentials both read.
public enum ScheduleFiles {
  public static let systemdFolder = "/etc/systemd/system"
  public static let cronFile = "/etc/cron.d/datamancy-backup"
  public static let logrotateFile = "/etc/logrotate.d/datamancy-backup"

  /// One file to write; a secret's content is never printed.
  public struct File: Sendable {
    public var path: String
    public var content: String
    public var secret = false
  }

  /// Every file of one kind, under `root` (empty for `/`), with the credentials.
  public static func files(
    cron: Bool, root: String, binary: String, context: OperationContext, secrets: ScheduleSecrets
  ) throws -> [File] {
    let schedule = ScheduleContext(
      binary: binary, config: context.configFile ?? "/etc/datamancy-backup/config.yml",
      writablePaths: writablePaths(context.config), schedule: context.config.schedule,
      credentials: secrets.credentials.map(\.name))
    var files =
      cron
      ? [
        File(path: root + cronFile, content: try CronFile.file(schedule)),
        File(path: root + logrotateFile, content: CronFile.logrotate),
      ]
      : SystemdUnits.files(schedule).map { File(path: root + systemdFolder + "/" + $0.0, content: $0.1) }
    for credential in secrets.credentials {
      guard let value = credential.value else { continue }
      files.append(
        File(path: root + ScheduleSecrets.folder + "/" + credential.name, content: value, secret: true))
    }
    return files
  }

  /// The files of the other kind (and of both, for `schedule remove`), as paths under `root`.
  public static func paths(systemd: Bool, cron: Bool, root: String) -> [String] {
    var paths: [String] = []
    if systemd {
      paths += ["backup", "verify", "dr"].flatMap {
        [root + systemdFolder + "/datamancy-\($0).service", root + systemdFolder + "/datamancy-\($0).timer"]
      }
      paths.append(root + systemdFolder + "/datamancy-notify@.service")
    }
    if cron { paths += [root + cronFile, root + logrotateFile] }
    return paths
  }

  /// The folders the jobs write to: the repository, the log file's folder.
  public static func writablePaths(_ config: BackupConfig) -> [String] {
    var paths = ["/var/log", "/tmp"]
    if let repository = config.repository.path, repository.hasPrefix("/") {
      paths.insert(repository, at: 0)
    }
    if let log = config.logFile, log.hasPrefix("/") {
      paths.append((log as NSString).deletingLastPathComponent)
    }
    var seen = Set<String>()
    return paths.filter { seen.insert($0).inserted }
  }
}

/// `systemctl`, for installing on this host.
public enum Systemctl {
  public static func run(_ arguments: [String], _ context: OperationContext) throws {
    try context.runner.start(
      ["systemctl"] + arguments, environment: [:], captureOutput: false, feedInput: false
    )
    .checkSuccess()
  }

  /// `systemctl list-timers` for our timers when systemd runs here; else, when the
  /// cron file is installed, the next times of its calendars.
  public static func nextRuns(_ context: OperationContext) -> String? {
    if FileManager.default.fileExists(atPath: "/run/systemd/system") {
      return try? context.runner.output(["systemctl", "list-timers", "--all", "datamancy-*"]).text
    }
    guard FileManager.default.fileExists(atPath: ScheduleFiles.cronFile) else { return nil }
    return ScheduledJob.all(context.config.schedule).compactMap { job in
      (try? CalendarSpec(job.calendar))?.next(after: context.now()).map {
        "next \(job.name) (cron): \($0.formatted(.iso8601))"
      }
    }.joined(separator: "\n")
  }
}
