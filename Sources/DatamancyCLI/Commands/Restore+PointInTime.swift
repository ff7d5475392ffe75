import ArgumentParser
import DatamancyConfig
import DatamancyOperations
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

extension DatamancyBackup.Restore {
  /// `restore --source NAME --to-time TIME|latest --to DIR`, or `--to-lsn X/Y`
  /// (`validate` checked the flags); with `--dry-run`, the plan alone.
  func pointInTime(_ context: CommandContext) throws {
    guard let source, let to else { throw ValidationError("--to-time takes --source NAME and --to DIR") }
    guard let config = context.config.sources.first(where: { $0.name == source }),
      let settings = config.settings(as: PostgresPITRSettings.self)
    else {
      throw CLIError.usage("--source: '\(source)' is not a postgres_pitr source of the configuration")
    }
    guard let configFile = context.configFile else {
      throw CLIError.usage(
        "--to-time needs a configuration file: the recovered server's restore_command reads it")
    }
    let target = try Self.parseTarget(time: toTime, lsn: toLSN)
    let folder = to.hasPrefix("/") ? to : FileManager.default.currentDirectoryPath + "/" + to
    let repository = try context.openRepository()
    let command = JobCommand.restoreCommand(
      binary: DatamancyBackup.Schedule.Target.currentBinary(), config: configFile, source: source)
    let commits = WALCommits(
      repository: repository, runner: context.operations.runner,
      program: PostgresPrograms.path("pg_waldump", tools: settings.connection.tools, dataFolder: nil))
    let restore = PointInTimeRestore(repository: repository, context: context.operations, source: source)
    let outcome: PointInTimeRestore.Outcome
    do {
      if dryRun {
        let plan = try context.withLock(repository, exclusive: false, command: "restore", readOnly: true) {
          try restore.plan(target)
        }
        return context.print(
          "would restore the base backup of set \(plan.window.base.set.shortID) (ended "
            + "\(Formatting.time(plan.window.base.label.stopTime))) into \(folder); recovery would read "
            + "\(Formatting.count(plan.segments.count, "WAL segment")) on timeline \(plan.window.chain.timeline) "
            + "and stop at \(target)")
      }
      outcome = try context.withLock(repository, exclusive: false, command: "restore", readOnly: true) {
        try restore.run(target, into: folder, restoreCommand: command, commits: commits)
      }
    } catch let refused as PointInTimeRestore.Refused {
      throw CLIError.usage(refused.description)
    }
    let base = outcome.plan.window.base
    context.print(
      "restored the base backup of set \(base.set.shortID) (ended \(Formatting.time(base.label.stopTime))) into "
        + "\(outcome.folder); recovery reads \(Formatting.count(outcome.plan.segments.count, "WAL segment")) "
        + "on timeline \(outcome.plan.window.chain.timeline)")
    if case .time(let time) = target, case .latest = outcome.target {
      context.print(
        "\(Formatting.time(time)) is after the newest archived commit: recovery replays the whole archive, "
          + "which is the state at that time")
    }
    context.print(
      "next: chown -R postgres \(outcome.folder) && pg_ctl -D \(outcome.folder) start — it recovers to "
        + "\(outcome.target) and promotes")
  }

  static func parseTarget(time: String?, lsn: String?) throws -> PointInTimeRestore.Target {
    if let lsn {
      guard let position = LSN.parse(lsn) else {
        throw ValidationError(
          "--to-lsn: '\(lsn)' is not a WAL position; write it as PostgreSQL does, 0/3000158")
      }
      return .lsn(position)
    }
    guard let time, time != "latest" else { return .latest }
    guard let parsed = UTCTime.parse(time) else {
      throw ValidationError("--to-time: '\(time)' is not a time; write 2026-12-01T16:59:00Z, or 'latest'")
    }
    return .time(parsed)
  }
}
