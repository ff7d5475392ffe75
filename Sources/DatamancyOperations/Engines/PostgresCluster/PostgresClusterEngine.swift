import DatamancyConfig
import DatamancyRepository
import DatamancySources

/// `type: postgres_pitr`: a whole cluster for point-in-time recovery, its base
/// backups as items (tar) and its WAL pushed by `wal-push`.
struct PostgresClusterEngine: SourceEngine {
  var type: SourceType { .postgresPITR }
  let drillsEveryItem = true
  var contentChecks: [ItemContent: ContentCheck] { [.postgresCluster: .tarStream] }

  func planner(_ source: ConfiguredSource<PostgresPITRSettings>, context: OperationContext)
    -> any SourcePlanner
  {
    PostgresBaseBackupSource(
      name: source.name, settings: source.settings, runner: context.runner, secrets: context.secrets)
  }

  /// A private server recovered from the base backup and the archived WAL.
  func scratch(
    for item: BackupItem, in source: ConfiguredSource<PostgresPITRSettings>, repository: Repository,
    context: OperationContext
  ) -> any DrillScratch {
    ClusterScratch(repository: repository, context: context, source: source.name, settings: source.settings)
  }

  /// `drill --cluster` recovers the cluster onto a private server of its own.
  func standIn(for source: ConfiguredSource<PostgresPITRSettings>, context: OperationContext) -> StandIn {
    .server(ClusterStandIn(runner: context.runner, tools: source.settings.connection.tools))
  }

  /// The whole cluster onto the configured server, to `recover --to-time` or
  /// the end of the archive; the source's other items (none today) stay with `restore`.
  func recovery(
    of item: BackupItem, in source: ConfiguredSource<PostgresPITRSettings>, context: RecoveryContext
  ) -> Recovery {
    guard item.name == "\(source.name)/cluster" else {
      return .unsupported("\(item.name) is not the cluster of \(source.name)")
    }
    return .target(
      .data,
      ClusterRecoveryTarget(
        source: source.name, settings: source.settings, context: context,
        server: PostgresEngine.endpoint(source.settings.connection)))
  }
}
