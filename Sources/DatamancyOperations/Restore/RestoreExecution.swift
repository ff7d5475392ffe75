import DatamancyRepository
import DatamancySources
import Foundation

/// One item to restore, and where it goes.
public struct RestoreTarget {
  public enum Place {
    /// Under a folder, as `<folder>/<item name>`.
    case folder(String)
    /// Into a database on the item's source server.
    case database(any DatabaseEngine, String)
    /// PostgreSQL roles and tablespaces, applied to the source's server.
    case roles(PostgresSource)
  }

  public var item: BackupItem
  public var place: Place
  /// Replace a database that holds tables (after backing it up).
  public var force = false

  public init(item: BackupItem, place: Place, force: Bool = false) {
    self.item = item
    self.place = place
    self.force = force
  }

  public var summary: String {
    switch place {
    case .folder(let folder):
      return "\(item.name) → folder \(ItemRestorer.destination(of: item, in: folder))"
    case .database(let engine, let name):
      return "\(item.name) → database \(name) on \(engine.name)" + (force ? " (replacing it)" : "")
    case .roles(let source):
      return "\(item.name) → roles and tablespaces of the server of \(source.name)"
    }
  }
}

/// What one restore did, for the output and the log.
public struct RestoreRecord: Encodable, Sendable {
  public var item: String
  public var target: String
  public var steps: [TimedStep]
  public var seconds: Double
  /// The set holding what a forced restore replaced.
  public var preRestoreSet: String?
}

/// Runs restore targets in order and records each step's time.
public struct RestoreExecution {
  public let context: OperationContext
  public let repository: Repository
  public let set: BackupSet
  public var onBytes: (@Sendable (Int) -> Void)?
  /// For file trees: only these paths, and owners by name.
  public var paths: [String] = []
  public var ownersByName = false
  public var overwrite = TreeRestorer.Overwrite.never

  public init(context: OperationContext, repository: Repository, set: BackupSet) {
    self.context = context
    self.repository = repository
    self.set = set
  }

  public func run(_ target: RestoreTarget) throws -> RestoreRecord {
    var timer = StepTimer()
    var preserved: String?
    context.logger.info("restoring \(target.summary) from set \(set.shortID)")
    switch target.place {
    case .folder(let folder):
      var restorer = ItemRestorer(repository: repository, runner: context.runner)
      restorer.onBytes = onBytes
      restorer.paths = paths
      restorer.ownersByName = ownersByName
      restorer.overwrite = overwrite
      try timer.run("restore") { _ = try restorer.restore(target.item, of: set, into: folder) }
      for warning in restorer.treeReport?.warnings ?? [] {
        context.logger.warning("\(target.item.name): \(warning)")
      }
      if let kept = restorer.treeReport?.kept, kept > 0 {
        let entries = Formatting.count(kept, "entry", "entries")
        context.logger.notice(
          "\(target.item.name): \(entries) the target already had were kept (--overwrite \(overwrite.rawValue))"
        )
      }
    case .database(let engine, let name):
      var restorer = DatabaseRestorer(repository: repository, runner: context.runner, engine: engine)
      restorer.onBytes = onBytes
      try restorer.restore(target.item, of: set, into: name, force: target.force, timer: &timer) {
        let id = try preRestoreBackup(engine, name)
        preserved = id
        return id
      }
    case .roles(let source):
      let restorer = RolesRestorer(repository: repository, runner: context.runner, source: source)
      try timer.run("apply roles") { try restorer.apply(target.item, of: set) }
    }
    for step in timer.steps {
      context.logger.info("\(target.item.name): \(step.name) took \(String(format: "%.2f", step.seconds)) s")
    }
    return RestoreRecord(
      item: target.item.name, target: target.summary, steps: timer.steps, seconds: timer.total,
      preRestoreSet: preserved)
  }

  /// Backs up the database about to be replaced, as a set tagged `pre-restore`.
  func preRestoreBackup(_ engine: any DatabaseEngine, _ database: String) throws -> String {
    try Self.preRestoreBackup(engine, database, context: context, repository: repository)
  }

  static func preRestoreBackup(
    _ engine: any DatabaseEngine, _ database: String, context: OperationContext, repository: Repository
  ) throws -> String {
    try preRestoreBackup(engine.item(for: database), of: database, context: context, repository: repository)
  }

  /// Backs up `item` as a set tagged `pre-restore`: what a forced restore of
  /// `target` is about to replace.
  static func preRestoreBackup(
    _ item: PlannedItem, of target: String, context: OperationContext, repository: Repository
  ) throws -> String {
    let session = BackupSession(repository: repository, compression: nil)
    var runner = BackupRunner(session: session, concurrency: 1, host: context.host, logger: context.logger)
    runner.tags = [BackupSet.safetyCopyTag]
    let saved = try runner.run([item], time: context.now())
    guard saved.status == .complete else {
      throw RestoreError.preRestoreFailed(database: target, reason: saved.items.first?.error ?? "no data")
    }
    context.logger.notice("the contents of \(target) were saved as set \(saved.shortID) (tag pre-restore)")
    return saved.id
  }
}
