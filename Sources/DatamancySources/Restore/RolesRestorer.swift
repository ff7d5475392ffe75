import DatamancyRepository
import Foundation

/// Applies a PostgreSQL `globals` item (roles and tablespaces, from `pg_dumpall
/// --globals-only`) to the source's server with `psql`.
///
/// The script creates every role, including ones the server already has (at
/// least the superuser), so `... already exists` errors are expected and skipped;
/// any other error fails the restore with psql's message.
public struct RolesRestorer {
  public let repository: Repository
  public let runner: ProcessRunner
  public let source: PostgresSource

  public init(repository: Repository, runner: ProcessRunner, source: PostgresSource) {
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
    do {
      try ChunkStreamer(repository: repository).stream(try ChunkStreamer.ids(of: item, set: set)) {
        try process.write($0)
      }
    } catch let error as ProcessError {
      throw error
    } catch {
      process.kill()
      process.wait()
      throw error
    }
    try process.checkSuccess()
    let errors = process.stderrText.split(separator: "\n").filter {
      $0.contains("ERROR:") && !$0.contains("already exists")
    }
    guard errors.isEmpty else {
      throw ProcessError.failed(
        program: "psql", outcome: .exited(0), stderr: errors.joined(separator: "\n"))
    }
  }
}
