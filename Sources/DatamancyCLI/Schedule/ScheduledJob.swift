import DatamancyConfig

/// The three jobs the schedule runs, and the files that run them.
struct ScheduledJob {
  /// `backup`, `verify` or `dr`.
  var name: String
  var description: String
  /// The command line after the binary.
  var arguments: [String]
  var calendar: String

  static func all(_ schedule: ScheduleSettings) -> [ScheduledJob] {
    [
      ScheduledJob(
        name: "backup", description: "back up every source", arguments: ["backup", "--quiet"],
        calendar: schedule.backup),
      ScheduledJob(
        name: "verify", description: "verify the newest copy of every item",
        arguments: ["verify", "--all", "--quiet"], calendar: schedule.verify),
      ScheduledJob(
        name: "dr", description: "disaster-recovery drill", arguments: ["drill", "--quiet"],
        calendar: schedule.drill),
    ]
  }

  var unit: String { "datamancy-\(name)" }

  /// The command line that runs the job: `--config` belongs to the subcommand,
  /// so it follows the subcommand's name.
  static func argv(binary: String, config: String?, _ arguments: [String]) -> [String] {
    guard let subcommand = arguments.first else { return [binary] }
    return [binary, subcommand] + (config.map { ["--config", $0] } ?? []) + arguments.dropFirst()
  }
}

/// What the generated files run: this binary and this configuration file.
struct ScheduleContext {
  var binary: String
  var config: String
  /// Folders the jobs write to (the repository, the log file's folder).
  var writablePaths: [String]
  var schedule: ScheduleSettings
}
