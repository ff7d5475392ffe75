import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import Foundation

/// `postgres_pitr`: one item, `NAME/cluster`, the cluster's base backup as
/// `pg_basebackup -D - -Ft -X none --checkpoint=fast` writes it (one tar stream
/// with `backup_manifest` inside), stored as a tar item so content-defined chunks
/// deduplicate unchanged relation files between base backups. Without WAL in the
/// tar: `wal-push` archives it, and pg_basebackup waits until the WAL up to the
/// backup's end is archived before it exits 0, so a good item is recoverable.
public struct PostgresBaseBackupSource: SourcePlanner, Sendable {
  public var name: String
  let postgres: PostgresSource

  public init(
    name: String, settings: PostgresPITRSettings, runner: any ProcessRunner, secrets: SecretResolver
  ) {
    self.name = name
    postgres = PostgresSource(
      name: name,
      settings: PostgresSettings(
        connection: settings.connection, databases: .all(exclude: []), globals: false),
      runner: runner, secrets: secrets)
  }

  /// The label pg_basebackup writes into `backup_label` and the archived
  /// `.backup` file, by which a restore finds the item's WAL.
  public static let label = "datamancy-backup"

  public func items() throws -> [PlannedItem] {
    let run: @Sendable () throws -> ToolRun = {
      try postgres.pgRun(
        "pg_basebackup", ["-D", "-", "-Ft", "-X", "none", "--checkpoint=fast", "-l", Self.label])
    }
    return [
      PlannedItem(name: "\(name)/cluster", source: name, format: .tar, content: .postgresCluster) {
        [self, tool = postgres.tool] in
        try checkArchiving()
        return try tool.start(try run(), inspector: nil)
      }
    ]
  }

  /// pg_basebackup waits, without end, for the WAL up to the backup's end to be
  /// archived: a cluster that does not archive, or whose newest archiving attempt
  /// failed, is refused before it starts.
  func checkArchiving() throws {
    let query =
      "SELECT current_setting('archive_mode') || ' ' || coalesce(last_failed_wal, '-') || ' ' || "
      + "(coalesce(last_failed_time, 'epoch') > coalesce(last_archived_time, 'epoch'))::text FROM pg_stat_archiver"
    let answer = try postgres.tool.capture(
      try postgres.pgRun("psql", ["-AtX", "-d", "postgres", "-c", query]))
    let fields = answer.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").map(String.init)
    guard fields.count == 3 else {
      throw SourceError.settings(source: name, reason: "unexpected answer about archiving: \(answer)")
    }
    guard fields[0] != "off" else {
      throw SourceError.settings(
        source: name,
        reason:
          "archive_mode is off: set archive_mode = on and archive_command to wal-push (docs/operations.md)")
    }
    guard fields[2] != "true" else {
      throw SourceError.settings(
        source: name,
        reason: "archiving is failing (the newest attempt, for \(fields[1]), failed; see the server's log): "
          + "a base backup would wait for it for ever")
    }
  }
}
