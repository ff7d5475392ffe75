import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// What a drill restores, and where: the items (named, configured, or every
/// database item), and a scratch target for each that never touches production.
public enum DrillPlan {
  /// The items to drill: named ones, the configured ones, or every database item
  /// (every good item with --all).
  public static func select(
    from chosen: BackupSet, names item: [String], all: Bool, context: OperationContext
  ) throws -> [BackupItem] {
    if !item.isEmpty || !context.config.drillItems.isEmpty {
      return try ItemSelection.pick(item.isEmpty ? context.config.drillItems : item, from: chosen)
    }
    let good = chosen.items.filter { $0.status == .ok }
    let picked = all ? good : good.filter { Self.isDatabase($0, context: context) }
    guard !picked.isEmpty else {
      throw OperationError(
        "set \(chosen.shortID) has no database item to drill; name items with --item, or pass --all")
    }
    return picked
  }

  public static func isDatabase(_ item: BackupItem, context: OperationContext) -> Bool {
    switch SourcePlanning.source(of: item, context: context)?.kind {
    case .redis, .ldap, .postgresPITR: return true
    case .postgres, .mariadb: return SourcePlanning.database(of: item, context: context) != nil
    case .files, .command, nil: return false
    }
  }

  /// Where an item is drilled, or why it cannot be.
  public static func scratch(for item: BackupItem, repository: Repository, context: OperationContext)
    -> (DrillScratch?, String?)
  {
    let runner = context.runner
    let source = SourcePlanning.source(of: item, context: context)
    switch source?.kind {
    // Every kind is named: a new engine must say where it is drilled.
    case .postgres, .mariadb:
      if let (engine, database) = SourcePlanning.database(of: item, context: context) {
        let name = DatabaseScratch.name(for: database, at: context.now())
        return (
          DatabaseScratch(engine: engine, database: name, repository: repository, runner: runner), nil
        )
      }
    case .postgresPITR(let settings):
      return (
        ClusterScratch(repository: repository, context: context, source: item.source, settings: settings), nil
      )
    case .redis(let settings):
      return (RedisScratch(repository: repository, runner: runner, tools: settings.connection.tools), nil)
    case .ldap(let settings):
      return (
        SlapdScratch(
          repository: repository, runner: runner, tools: settings.connection.tools,
          schemas: settings.schemas),
        nil
      )
    case nil:
      if item.name.contains("/") {
        return (
          nil, "its source '\(item.source)' is not in the configuration, so there is no server to drill on"
        )
      }
    case .files, .command: break
    }
    return (FolderScratch(repository: repository, runner: runner), nil)
  }
}
