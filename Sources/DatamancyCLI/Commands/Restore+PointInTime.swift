import DatamancyOperations
import DatamancyRepository
import Foundation

extension DatamancyBackup.Restore {
  /// `restore --source NAME --to-time TIME --to DIR`.
  func pointInTime(_ context: CommandContext, _ time: String) throws {
    guard let source, let to, set == nil, item.isEmpty else {
      throw CLIError.usage("--to-time takes --source NAME and --to DIR, and no set or --item")
    }
    guard context.config.sources.first(where: { $0.name == source })?.engine == "postgres_pitr" else {
      throw CLIError.usage("--source: '\(source)' is not a postgres_pitr source of the configuration")
    }
    guard let config = context.configFile else {
      throw CLIError.usage(
        "--to-time needs a configuration file: the recovered server's restore_command reads it")
    }
    let target: Date?
    if time == "latest" {
      target = nil
    } else {
      guard let parsed = Self.parseTime(time) else {
        throw CLIError.usage("--to-time: '\(time)' is not a time; write 2026-12-01T16:59:00Z, or 'latest'")
      }
      target = parsed
    }
    let folder = to.hasPrefix("/") ? to : FileManager.default.currentDirectoryPath + "/" + to
    let repository = try context.openRepository()
    let command =
      "\(DatamancyBackup.Schedule.Target.currentBinary()) wal-fetch --config \(config) --source \(source) %f %p"
    let outcome: PointInTimeRestore.Outcome
    do {
      outcome = try context.withLock(repository, exclusive: false, command: "restore", readOnly: true) {
        try PointInTimeRestore(repository: repository, context: context.operations, source: source)
          .run(target: target, into: folder, restoreCommand: command)
      }
    } catch let refused as PointInTimeRestore.Refused {
      throw CLIError.usage(refused.description)
    }
    let base = outcome.base
    context.print(
      "restored the base backup of set \(base.set.shortID) (ended \(Formatting.time(base.label.stopTime))) into "
        + "\(outcome.folder); the archive holds \(outcome.segments) WAL segments from its start on")
    context.print(
      "next: chown -R postgres \(outcome.folder) && pg_ctl -D \(outcome.folder) start — it recovers to "
        + (target.map(Formatting.time) ?? "the end of the archive") + " and promotes")
  }

  /// ISO 8601 with or without fractional seconds.
  static func parseTime(_ text: String) -> Date? {
    let formatter = ISO8601DateFormatter()
    if let date = formatter.date(from: text) { return date }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text)
  }
}
