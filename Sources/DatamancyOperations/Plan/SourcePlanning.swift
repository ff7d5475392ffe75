import DatamancyConfig
import DatamancyRepository
import DatamancySources

/// Turns configured sources into planners.
public enum SourcePlanning {
  public static func planner(for source: SourceConfig, context: OperationContext) -> SourcePlanner {
    let runner = context.runner
    let secrets = context.secrets
    switch source.kind {
    case .files(let settings):
      return FilesSource(name: source.name, settings: settings)
    case .command(let argv):
      return CommandSource(name: source.name, argv: argv, runner: runner)
    case .postgres(let settings):
      return PostgresSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    case .postgresPITR(let settings):
      return PostgresBaseBackupSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    case .mariadb(let settings):
      return MariaDBSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    case .ldap(let settings):
      return LDAPSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    case .redis(let settings):
      return RedisSource(name: source.name, settings: settings, runner: runner, secrets: secrets)
    }
  }
}

extension SourcePlanning {
  /// The configured source an item came from.
  public static func source(of item: BackupItem, context: OperationContext) -> SourceConfig? {
    context.config.sources.first { $0.name == item.source }
  }

  /// The database server an item can be restored into, with the database the item
  /// holds; nil for items that are not one PostgreSQL or MariaDB database.
  public static func database(of item: BackupItem, context: OperationContext) -> (DatabaseEngine, String)? {
    guard let source = source(of: item, context: context) else { return nil }
    let engine: DatabaseEngine
    switch planner(for: source, context: context) {
    case let postgres as PostgresSource: engine = postgres
    case let mariadb as MariaDBSource: engine = mariadb
    default: return nil
    }
    return engine.database(of: item).map { (engine, $0) }
  }
}

extension SourcePlanning {
  /// The PostgreSQL source whose roles and tablespaces an item holds, if it is one.
  public static func globalsSource(of item: BackupItem, context: OperationContext) -> PostgresSource? {
    guard let source = source(of: item, context: context),
      let postgres = planner(for: source, context: context) as? PostgresSource,
      RolesRestorer.isGlobals(item, of: postgres)
    else { return nil }
    return postgres
  }
}
