import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// Where `recover` puts one item back: the configured server (a database, the
/// roles, the directory, the keyspace) or the folder's original path. Unlike a
/// drill's scratch target, it is production, so it is inspected first and never
/// replaced unless forced or holding this recovery's own unfinished work.
public protocol RecoveryTarget: AnyObject {
  /// What and where, for the plan and the report.
  var description: String { get }
  /// What the target holds already (`12 tables`, `3 keys`), nil when it is
  /// empty and ready. Throws when the target cannot be reached.
  func occupant() throws -> String?
  /// Saves what an occupied target holds as a set tagged `pre-restore` and
  /// returns its id; nil when this kind of target has nothing to save through
  /// this tool (then `--force` replaces it without a copy, and says so).
  func preserve() throws -> String?
  /// Empties an occupied target, after `preserve`.
  func clear() throws
  /// Restores the item into the empty target.
  func restore(_ item: BackupItem, of set: BackupSet) throws
  /// Compares the target with what was recorded at backup, as a drill does.
  func check(_ item: BackupItem, of set: BackupSet) throws -> [DrillCheck]
  /// The server this target writes into (`postgresql://SOCKET:PORT`), when
  /// its engine names one.
  var server: String? { get }
  /// Restoring this target brings back everything on `server` (a whole
  /// cluster): the other targets on that server are left out.
  var replacesServer: Bool { get }
  /// The copy restored, when the target chooses it (a cluster recovered to a
  /// time starts from the newest base backup before it); nil: the newest.
  var chosenCopy: (set: BackupSet, item: BackupItem)? { get }
}

extension RecoveryTarget {
  public var server: String? { nil }
  public var replacesServer: Bool { false }
  public var chosenCopy: (set: BackupSet, item: BackupItem)? { nil }
}

/// When an item is recovered: accounts first, because databases name their
/// owners and grantees; then everything else at once, since nothing else
/// depends on anything (a database does not wait for a folder).
public enum RecoveryStage: Int, Codable, Sendable, Comparable, CaseIterable {
  /// PostgreSQL roles and tablespaces, MariaDB's `mysql` system database.
  case accounts = 1
  /// Databases, the directory, the keyspace, folders.
  case data = 2

  public var name: String {
    switch self {
    case .accounts: return "accounts"
    case .data: return "data"
    }
  }

  public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// What an engine does with an item in `recover`.
public enum Recovery {
  /// Restored into `target` in `stage`.
  case target(RecoveryStage, any RecoveryTarget)
  /// Not restored by `recover`; the reason says how to bring it back instead.
  case unsupported(String)
}

/// What every engine's recovery needs beyond the source.
public struct RecoveryContext {
  public let operations: OperationContext
  public let repository: Repository
  /// Folders go under this folder (`DIR/<original path>`) instead of their
  /// original paths (`recover --to DIR`).
  public var folderRoot: String?
  /// Where a whole cluster recovers to (`recover --to-time`): the end of its archive by default.
  public var pointInTime: PointInTimeRestore.Target = .latest
  /// This binary, which a recovered cluster's restore and archive commands run.
  public var binary = JobCommand.currentBinary()
  /// Whether a recovered cluster archives into its source again (false onto a drill's stand-in).
  public var archiving = true

  public init(operations: OperationContext, repository: Repository, folderRoot: String? = nil) {
    self.operations = operations
    self.repository = repository
    self.folderRoot = folderRoot
  }

  /// Backs up a database about to be replaced, as a set tagged `pre-restore`.
  func preserve(_ engine: any DatabaseEngine, _ database: String) throws -> String {
    try RestoreExecution.preRestoreBackup(engine, database, context: operations, repository: repository)
  }

  /// Backs up what the source's item `name` reads now (a server's keyspace or
  /// directory about to be replaced), as a set tagged `pre-restore`.
  func preserve(item name: String, of planner: any SourcePlanner, target: String) throws -> String {
    guard let item = try planner.items().first(where: { $0.name == name }) else {
      throw RestoreError.preRestoreFailed(database: target, reason: "the source plans no item \(name)")
    }
    return try RestoreExecution.preRestoreBackup(
      item, of: target, context: operations, repository: repository)
  }
}
