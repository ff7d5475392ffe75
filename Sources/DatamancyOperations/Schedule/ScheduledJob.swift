import DatamancyConfig

/// The three jobs the schedule runs, and the files that run them.
public struct ScheduledJob: Sendable {
  /// `backup`, `verify` or `dr`.
  public var name: String
  public var description: String
  public var command: JobCommand
  public var calendar: String

  public static func all(_ schedule: ScheduleSettings) -> [ScheduledJob] {
    [
      ScheduledJob(
        name: "backup", description: "back up every source", command: .backup(source: nil),
        calendar: schedule.backup),
      ScheduledJob(
        name: "verify", description: "verify the newest copy of every item", command: .verifyAll,
        calendar: schedule.verify),
      ScheduledJob(
        name: "dr", description: "disaster-recovery drill", command: .drill, calendar: schedule.drill),
    ]
  }

  /// The command line after the binary: a scheduled job writes only warnings
  /// and errors to its journal.
  public var arguments: [String] { command.arguments + ["--quiet"] }

  public var unit: String { "datamancy-\(name)" }

  /// The kind of run, as the dashboard and `JobLauncher` name it (`dr` is a drill).
  public var kind: String { command.kind }

  /// The command line that runs the job: `--config` belongs to the subcommand,
  /// so it follows the subcommand's name.
  public static func argv(binary: String, config: String?, _ arguments: [String]) -> [String] {
    guard let subcommand = arguments.first else { return [binary] }
    return [binary, subcommand] + (config.map { ["--config", $0] } ?? []) + arguments.dropFirst()
  }
}

/// What the generated files run: this binary and this configuration file.
public struct ScheduleContext {
  public var binary: String
  public var config: String
  /// Folders the jobs write to (the repository, the log file's folder).
  public var writablePaths: [String]
  public var schedule: ScheduleSettings
  /// The credential files the jobs load (`ScheduleSecrets`).
  public var credentials: [String]

  public init(
    binary: String, config: String, writablePaths: [String], schedule: ScheduleSettings, credentials: [String]
  ) {
    self.binary = binary
    self.config = config
    self.writablePaths = writablePaths
    self.schedule = schedule
    self.credentials = credentials
  }
}
