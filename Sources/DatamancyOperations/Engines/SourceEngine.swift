import DatamancyConfig
import DatamancyRepository
import DatamancySources

/// Everything this tool knows about one kind of source, in one conformance:
/// how the configuration spells and reads it, the items it backs up, how verify
/// checks what its items hold, where an item restores and where a drill puts
/// it. Engines are listed in one registry (`EngineRegistry`); nothing outside
/// an engine's folder asks which engine a source is.
///
/// The requirements without a default are what every engine must decide; the
/// defaults suit a source whose items are not databases (restored as files,
/// drilled into a scratch folder).
public protocol SourceEngine: Sendable {
  associatedtype Settings: SourceSettings

  /// How the configuration spells it (`type:`) and reads a source's entry.
  var type: SourceType { get }
  /// What each kind of content its items record holds, and how verify checks it
  /// beyond every chunk authenticating.
  var contentChecks: [ItemContent: ContentCheck] { get }
  /// The items a source of this engine backs up.
  func planner(_ source: ConfiguredSource<Settings>, context: OperationContext) -> any SourcePlanner
  /// The server an item of the source restores into, with the database it
  /// holds; nil for an item that is not one database.
  func database(of item: BackupItem, in source: ConfiguredSource<Settings>, context: OperationContext)
    -> (any DatabaseEngine, String)?
  /// Whether a drill restores every item of the source when no items are
  /// named (a server of its own per item), not only its databases.
  var drillsEveryItem: Bool { get }
  /// Where a drill restores the item: never the source itself.
  func scratch(
    for item: BackupItem, in source: ConfiguredSource<Settings>, repository: Repository,
    context: OperationContext
  ) -> any DrillScratch
  /// Where `recover` puts the item back on the source's own server or path,
  /// and in which stage; or why `recover` leaves it to `restore`.
  func recovery(of item: BackupItem, in source: ConfiguredSource<Settings>, context: RecoveryContext)
    -> Recovery
  /// What `drill --cluster` recovers the source onto instead of its server.
  func standIn(for source: ConfiguredSource<Settings>, context: OperationContext) -> StandIn
}

/// Where `drill --cluster` puts a source's items.
public enum StandIn {
  /// An empty server of the source's kind, started and removed by the drill.
  case server(any StandInServer)
  /// No server: the items go under the drill's scratch folder (folders).
  case folder
  /// The source cannot be drilled this way; the reason says why.
  case unavailable(String)
}

/// A configured source with the settings its engine reads.
public struct ConfiguredSource<Settings: SourceSettings>: Sendable {
  public let config: SourceConfig
  public let settings: Settings

  public var name: String { config.name }
}

extension SourceEngine {
  public func database(of item: BackupItem, in source: ConfiguredSource<Settings>, context: OperationContext)
    -> (any DatabaseEngine, String)?
  { nil }

  public var drillsEveryItem: Bool { false }

  /// Whether a drill restores the item when no items are named.
  func drillsByDefault(_ item: BackupItem, in source: ConfiguredSource<Settings>, context: OperationContext)
    -> Bool
  {
    drillsEveryItem || database(of: item, in: source, context: context) != nil
  }

  /// A database item into a new database on the source's own server, anything
  /// else into a scratch folder.
  public func scratch(
    for item: BackupItem, in source: ConfiguredSource<Settings>, repository: Repository,
    context: OperationContext
  ) -> any DrillScratch {
    if let (server, database) = self.database(of: item, in: source, context: context) {
      return DatabaseScratch(
        engine: server, database: DatabaseScratch.name(for: database, at: context.now()),
        repository: repository,
        runner: context.runner)
    }
    return FolderScratch(repository: repository, runner: context.runner)
  }
}

extension SourceEngine {
  /// A database item into the database of its name on the source's server;
  /// anything else is left to `restore`.
  public func recovery(of item: BackupItem, in source: ConfiguredSource<Settings>, context: RecoveryContext)
    -> Recovery
  {
    databaseRecovery(of: item, in: source, context: context)
      ?? .unsupported(
        "recover does not put \(type.name) items back; write it out with 'restore --item \(item.name) --to DIR'"
      )
  }

  public func standIn(for source: ConfiguredSource<Settings>, context: OperationContext) -> StandIn {
    .unavailable("drill --cluster has no stand-in server for \(type.name) sources")
  }

  /// The recovery of an item that is one database, nil for any other item.
  func databaseRecovery(of item: BackupItem, in source: ConfiguredSource<Settings>, context: RecoveryContext)
    -> Recovery?
  {
    guard let (server, database) = self.database(of: item, in: source, context: context.operations) else {
      return nil
    }
    return .target(.data, DatabaseRecoveryTarget(engine: server, database: database, context: context))
  }
}

/// An engine whose source is a database server: the source plans the items (one
/// per database) and is the server they restore into.
public protocol DatabaseServerEngine: SourceEngine {
  associatedtype Server: DatabaseEngine & SourcePlanner
  func server(_ source: ConfiguredSource<Settings>, _ context: OperationContext) -> Server
}

extension DatabaseServerEngine {
  public func planner(_ source: ConfiguredSource<Settings>, context: OperationContext) -> any SourcePlanner {
    server(source, context)
  }

  public func database(of item: BackupItem, in source: ConfiguredSource<Settings>, context: OperationContext)
    -> (any DatabaseEngine, String)?
  {
    let server = server(source, context)
    return server.database(of: item).map { (server, $0) }
  }
}

/// The calls the registry makes with a source whose settings are not yet typed.
extension SourceEngine {
  func typed(_ source: SourceConfig) -> ConfiguredSource<Settings> {
    guard let settings = source.settings(as: Settings.self) else {
      preconditionFailure("source \(source.name) was read by another type than \(type.name)'s")
    }
    return ConfiguredSource(config: source, settings: settings)
  }

  func anyPlanner(_ source: SourceConfig, context: OperationContext) -> any SourcePlanner {
    planner(typed(source), context: context)
  }

  func anyDatabase(of item: BackupItem, in source: SourceConfig, context: OperationContext)
    -> (any DatabaseEngine, String)?
  {
    database(of: item, in: typed(source), context: context)
  }

  func anyDrillsByDefault(_ item: BackupItem, in source: SourceConfig, context: OperationContext) -> Bool {
    drillsByDefault(item, in: typed(source), context: context)
  }

  func anyRecovery(of item: BackupItem, in source: SourceConfig, context: RecoveryContext) -> Recovery {
    recovery(of: item, in: typed(source), context: context)
  }

  func anyStandIn(for source: SourceConfig, context: OperationContext) -> StandIn {
    standIn(for: typed(source), context: context)
  }

  func anyScratch(
    for item: BackupItem, in source: SourceConfig, repository: Repository, context: OperationContext
  ) -> any DrillScratch {
    scratch(for: item, in: typed(source), repository: repository, context: context)
  }
}
