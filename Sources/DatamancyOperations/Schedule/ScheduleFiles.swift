import DatamancyConfig
import DatamancySources
import Foundation

/// The files a schedule consists of: systemd units and timers, or a cron file.
public enum ScheduleFiles {
  public static let systemdFolder = "/etc/systemd/system"
  public static let cronFile = "/etc/cron.d/datamancy-backup"

  /// Path → content of every file, under `root` (empty for `/`).
  public static func files(cron: Bool, root: String, binary: String, context: OperationContext) throws
    -> [(path: String, content: String)]
  {
    let schedule = ScheduleContext(
      binary: binary, config: context.configFile ?? "/etc/datamancy-backup/config.yml",
      writablePaths: writablePaths(context.config), schedule: context.config.schedule)
    if cron { return [(root + cronFile, try CronFile.file(schedule))] }
    return SystemdUnits.files(schedule).map { (root + systemdFolder + "/" + $0.0, $0.1) }
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
