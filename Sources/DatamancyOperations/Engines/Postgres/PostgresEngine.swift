import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// `type: postgres`: one `pg_dump` archive per database, and the server's roles
/// and tablespaces (`globals`) as SQL.
struct PostgresEngine: DatabaseServerEngine {
  typealias Settings = PostgresSettings
  var type: SourceType { .postgres }
  var contentChecks: [ItemContent: ContentCheck] {
    [.postgresArchive: .pgDumpArchive, .postgresGlobals: .unchecked]
  }

  func server(_ source: ConfiguredSource<PostgresSettings>, _ context: OperationContext) -> PostgresSource {
    PostgresSource(
      name: source.name, settings: source.settings, runner: context.runner, secrets: context.secrets)
  }

  /// Roles and tablespaces first (databases name their owners), then each
  /// database under its own name, as it was defined.
  func recovery(of item: BackupItem, in source: ConfiguredSource<PostgresSettings>, context: RecoveryContext)
    -> Recovery
  {
    let server = server(source, context.operations)
    let endpoint = Self.endpoint(source.settings.connection)
    if RolesRestorer.isGlobals(item, of: server) {
      let roles = RolesRecoveryTarget(source: server, context: context)
      roles.server = endpoint
      return .target(.accounts, roles)
    }
    let recovery = databaseRecovery(of: item, in: source, context: context)
    if case .target(_, let database as DatabaseRecoveryTarget)? = recovery { database.server = endpoint }
    return recovery ?? .unsupported("\(item.name) is not a database of \(source.name)")
  }

  /// One spelling of a PostgreSQL server's address, shared with `postgres_pitr`
  /// sources, so that `recover` sees two sources of one server.
  static func endpoint(_ connection: Connection) -> String {
    connection.endpoint(scheme: "postgresql", defaultPort: 5432)
  }

  func standIn(for source: ConfiguredSource<PostgresSettings>, context: OperationContext) -> StandIn {
    .server(PostgresStandIn(runner: context.runner, tools: source.settings.connection.tools))
  }
}

extension ContentCheck {
  /// `pg_restore --list` must read the archive's table of contents, and its
  /// tables' fingerprints must equal those recorded at backup.
  static let pgDumpArchive = ContentCheck(
    name: "a pg_dump archive", recognises: { _, head in head.starts(with: Array("PGDMP".utf8)) }
  ) { item, runner in
    try tool(
      ["pg_restore", "--list"], "pg_restore read the archive's table of contents", item: item, runner: runner,
      inspector: PostgresArchiveInspector(rowHash: try RowHash.Version.of(item.fingerprints)))
  }
}
