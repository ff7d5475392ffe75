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

  /// Whether a drill restores the item when none are named: its engine says.
  public static func isDatabase(_ item: BackupItem, context: OperationContext) -> Bool {
    guard let source = SourcePlanning.source(of: item, context: context) else { return false }
    return context.engines.engine(of: source).anyDrillsByDefault(item, in: source, context: context)
  }

  /// Where an item is drilled, or why it cannot be.
  public static func scratch(for item: BackupItem, repository: Repository, context: OperationContext)
    -> ((any DrillScratch)?, String?)
  {
    guard let source = SourcePlanning.source(of: item, context: context) else {
      if item.name.contains("/") {
        return (
          nil, "its source '\(item.source)' is not in the configuration, so there is no server to drill on"
        )
      }
      return (FolderScratch(repository: repository, runner: context.runner), nil)
    }
    return (
      context.engines.engine(of: source).anyScratch(
        for: item, in: source, repository: repository, context: context),
      nil
    )
  }
}
