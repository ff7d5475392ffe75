import Foundation

/// A command line of this binary that one part of the tool hands to another:
/// the schedule's units and `serve --schedule`, the dashboard's actions, and
/// PostgreSQL's `restore_command`. The flags are spelled here once, and a test
/// parses every case with the command line's own parser. Values go as
/// `--flag=value`, so a name that begins with `-` is never read as a flag.
public enum JobCommand: Sendable, Equatable {
  case backup(source: String?)
  case verifyAll
  case drill
  case prune
  case restoreIntoDatabase(set: String, item: String, database: String)
  case restoreIntoFolder(set: String, item: String, folder: String)
  case restoreOverOriginal(set: String, item: String)
  /// `%f %p` follow: PostgreSQL fills them in.
  case walFetch(config: String, source: String)
  /// `%p` follows: PostgreSQL fills it in.
  case walPush(config: String, source: String)

  /// The kind of run, as the launcher and the dashboard name it (never two of
  /// one kind at once).
  public var kind: String {
    switch self {
    case .backup: "backup"
    case .verifyAll: "verify"
    case .drill: "drill"
    case .prune: "prune"
    case .restoreIntoDatabase, .restoreIntoFolder, .restoreOverOriginal: "restore"
    case .walFetch: "wal-fetch"
    case .walPush: "wal-push"
    }
  }

  /// The arguments after the binary. `--config` is the launcher's to add
  /// (`ScheduledJob.argv`), except for wal-fetch, which PostgreSQL runs.
  public var arguments: [String] {
    switch self {
    case .backup(let source): ["backup"] + (source.map { ["--source=\($0)"] } ?? [])
    case .verifyAll: ["verify", "--all"]
    case .drill: ["drill"]
    case .prune: ["prune"]
    case .restoreIntoDatabase(let set, let item, let database):
      Self.restore(set, item) + ["--target-db=\(database)"]
    case .restoreIntoFolder(let set, let item, let folder): Self.restore(set, item) + ["--to=\(folder)"]
    case .restoreOverOriginal(let set, let item): Self.restore(set, item) + ["--original", "--force"]
    case .walFetch(let config, let source): ["wal-fetch", "--config=\(config)", "--source=\(source)"]
    case .walPush(let config, let source): ["wal-push", "--config=\(config)", "--source=\(source)"]
    }
  }

  /// A set id is hex: it cannot begin with `-`.
  private static func restore(_ set: String, _ item: String) -> [String] {
    ["restore", set, "--item=\(item)", "--yes"]
  }

  /// `restore_command` for a recovered cluster: this binary's `wal-fetch`, each
  /// word quoted for the shell PostgreSQL runs it with, then `%f %p`.
  public static func restoreCommand(binary: String, config: String, source: String) -> String {
    ([binary] + JobCommand.walFetch(config: config, source: source).arguments)
      .map(CronFile.shellQuoted).joined(separator: " ") + " %f %p"
  }

  /// `archive_command` for a recovered cluster: this binary's `wal-push`, then `%p`.
  public static func archiveCommand(binary: String, config: String, source: String) -> String {
    ([binary] + JobCommand.walPush(config: config, source: source).arguments)
      .map(CronFile.shellQuoted).joined(separator: " ") + " %p"
  }

  /// This binary, as units and PostgreSQL's commands run it.
  public static func currentBinary() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
      ?? "/usr/local/bin/datamancy-backup"
  }
}
