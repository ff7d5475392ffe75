import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// Applies a PostgreSQL `globals` item (roles and tablespaces, from `pg_dumpall
/// --globals-only`) to the source's server with `psql`.
///
/// The script creates every role, including ones the server already has (at
/// least the superuser), so `... already exists` errors are expected and skipped;
/// any other error fails the restore with psql's message.
public struct RolesRestorer {
  public let repository: Repository
  public let runner: any ProcessRunner
  public let source: PostgresSource

  public init(repository: Repository, runner: any ProcessRunner, source: PostgresSource) {
    self.repository = repository
    self.runner = runner
    self.source = source
  }

  /// Whether an item is a source's roles and tablespaces.
  public static func isGlobals(_ item: BackupItem, of source: PostgresSource) -> Bool {
    item.source == source.name && item.name == source.name + "/globals"
  }

  public func apply(_ item: BackupItem, of set: BackupSet) throws {
    let run = try source.pgRun("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=0", "-d", "postgres"])
    defer { run.privateFiles?.remove() }
    let process = try runner.start(
      run.argv, environment: run.environment, captureOutput: false, feedInput: true)
    try ItemRestorer(repository: repository, runner: runner).feed(item, of: set, to: process)
    let errors = process.stderrText.split(separator: "\n").filter {
      $0.contains("ERROR:") && !$0.contains("already exists")
    }
    guard errors.isEmpty else {
      throw ProcessError.failed(
        program: "psql", outcome: .exited(0), stderr: errors.joined(separator: "\n"))
    }
  }
}
