import DatamancyConfig
import DatamancyPOSIX
import DatamancyRepository
import DatamancySources
import Foundation

/// Why a restore into a database did not happen or did not finish.
public enum RestoreError: Error, CustomStringConvertible {
  /// The target holds tables and `--force` was not given; nothing was changed.
  case notEmpty(database: String, tables: Int)
  /// The pre-restore backup of the target failed; nothing was changed.
  case preRestoreFailed(database: String, reason: String)
  /// The engine's client stopped with an error.
  case loadFailed(database: String, reason: String, aftermath: String)
  /// A restore into a folder would replace something that exists; nothing was written.
  case targetExists(path: String)
  /// Writing a restored file failed (the disk, permissions).
  case write(path: String, operation: String, reason: String)
  /// None of the paths asked for (`--path`) is in the item.
  case noSuchPath(item: String, paths: [String])

  public var description: String {
    switch self {
    case .notEmpty(let database, let tables):
      return
        "database '\(database)' already holds \(Formatting.count(tables, "table")); nothing was changed. Restore into "
        + "another name (--target-db NEW), or pass --force to replace it (its contents are backed up "
        + "first, as a set tagged pre-restore)"
    case .preRestoreFailed(let database, let reason):
      return "the pre-restore backup of '\(database)' failed, so nothing was changed: \(reason)"
    case .loadFailed(let database, let reason, let aftermath):
      return "restoring into '\(database)' failed: \(reason). \(aftermath)"
    case .targetExists(let path):
      return "\(path) already exists; restore into another folder or move it away"
    case .write(let path, let operation, let reason):
      return "could not \(operation) \(path): \(reason)"
    case .noSuchPath(let item, let paths):
      return
        "\(item) holds none of \(paths.joined(separator: ", ")); list it with 'datamancy-backup ls SET \(item)'"
    }
  }
}

/// Loads database items into a server through the engine's own client.
///
/// A new database is created for the restore and dropped again when the load
/// fails; an existing empty one is loaded into; one holding tables is replaced
/// only when forced, after `preserve` has backed it up.
public struct DatabaseRestorer {
  public let repository: Repository
  public let runner: any ProcessRunner
  public let engine: any DatabaseEngine
  public var onBytes: (@Sendable (Int) -> Void)?

  public init(repository: Repository, runner: any ProcessRunner, engine: any DatabaseEngine) {
    self.repository = repository
    self.runner = runner
    self.engine = engine
  }

  /// Restores `item` into `database`, timing each step into `timer`. `preserve`
  /// backs up a database about to be replaced and returns the set's id.
  public func restore(
    _ item: BackupItem, of set: BackupSet, into database: String, force: Bool, timer: inout StepTimer,
    preserve: () throws -> String
  ) throws {
    let (exists, tables) = try timer.run("inspect target") {
      let exists = try engine.exists(database)
      return (exists, exists ? try engine.tableCount(database) : 0)
    }
    var preserved: String?
    if tables > 0 {
      guard force else { throw RestoreError.notEmpty(database: database, tables: tables) }
      preserved = try timer.run("pre-restore backup") {
        do {
          return try preserve()
        } catch let error as RestoreError {
          throw error
        } catch {
          throw RestoreError.preRestoreFailed(database: database, reason: "\(error: error)")
        }
      }
      try timer.run("drop old database") { try engine.drop(database) }
    }
    let created = !exists || tables > 0
    if created { try timer.run("create database") { try engine.create(database, for: item) } }
    do {
      try timer.run("load") { try load(item, of: set, into: database) }
    } catch {
      var aftermath =
        "The database was left as it was (the load runs in one transaction where the engine allows)."
      if created {
        try? engine.drop(database)
        aftermath = "The database '\(database)' it created was dropped."
      }
      if let preserved {
        aftermath += " Its previous contents are in set \(preserved.prefix(8)) (tag pre-restore)."
      }
      throw RestoreError.loadFailed(database: database, reason: "\(error: error)", aftermath: aftermath)
    }
  }

  /// Streams the item into the engine's client; the client's verdict decides.
  public func load(_ item: BackupItem, of set: BackupSet, into database: String) throws {
    let run = try engine.loadRun(into: database)
    defer { run.privateFiles?.remove() }
    let process = try runner.start(
      run.argv, environment: run.environment, captureOutput: false, feedInput: true)
    var restorer = ItemRestorer(repository: repository, runner: runner)
    restorer.onBytes = onBytes
    try restorer.feed(item, of: set, to: process)
  }
}
