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

  /// A cluster is brought back by `restore --source NAME --to-time T` into its
  /// data directory with the server stopped (docs/operations.md); `recover`
  /// does not stop and replace a running cluster.
  func recovery(
    of item: BackupItem, in source: ConfiguredSource<PostgresPITRSettings>, context: RecoveryContext
  ) -> Recovery {
    .unsupported(
      "a postgres_pitr cluster is recovered with the server stopped: "
        + "'restore --source \(source.name) --to-time latest --to DATADIR' (docs/operations.md)")
  }
}
