import DatamancyConfig
import DatamancyRepository
import DatamancySources

/// Turns configured sources into planners, and answers what an item's source
/// knows about it; each answer comes from the source's engine.
public enum SourcePlanning {
  public static func planner(for source: SourceConfig, context: OperationContext) -> any SourcePlanner {
    context.engines.engine(of: source).anyPlanner(source, context: context)
  }
}

extension SourcePlanning {
  /// The configured source an item came from.
  public static func source(of item: BackupItem, context: OperationContext) -> SourceConfig? {
    context.config.sources.first { $0.name == item.source }
  }

  /// The database server an item can be restored into, with the database the item
  /// holds; nil for items that are not one database.
  public static func database(of item: BackupItem, context: OperationContext) -> (any DatabaseEngine, String)?
  {
    guard let source = source(of: item, context: context) else { return nil }
    return context.engines.engine(of: source).anyDatabase(of: item, in: source, context: context)
  }
}

extension SourcePlanning {
  /// The PostgreSQL source whose roles and tablespaces an item holds, if it is one.
  public static func globalsSource(of item: BackupItem, context: OperationContext) -> PostgresSource? {
    guard let source = source(of: item, context: context),
      let settings = source.settings(as: PostgresSettings.self)
    else { return nil }
    let postgres = PostgresEngine().server(ConfiguredSource(config: source, settings: settings), context)
    return RolesRestorer.isGlobals(item, of: postgres) ? postgres : nil
  }
}
