import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// `type: mariadb` (or `mysql`): one `mariadb-dump` per database.
struct MariaDBEngine: DatabaseServerEngine {
  typealias Settings = MariaDBSettings
  var type: SourceType { .mariadb }
  var contentChecks: [ItemContent: ContentCheck] { [.mariadbDump: .mariadbDump] }

  func server(_ source: ConfiguredSource<MariaDBSettings>, _ context: OperationContext) -> MariaDBSource {
    MariaDBSource(
      name: source.name, settings: source.settings, runner: context.runner, secrets: context.secrets)
  }

  /// The `mysql` tables that hold users, roles and grants: what recovering the
  /// system database is proven by.
  static let accountTables: Set<String> = [
    "global_priv", "user", "db", "tables_priv", "columns_priv", "procs_priv", "proxies_priv", "roles_mapping",
  ]

  /// The `mysql` system database first, as the server's accounts (its dump
  /// replaces the grant tables, then privileges are reloaded); then every other
  /// database under its own name.
  func recovery(of item: BackupItem, in source: ConfiguredSource<MariaDBSettings>, context: RecoveryContext)
    -> Recovery
  {
    let server = server(source, context.operations)
    if server.database(of: item) == "mysql" {
      return .target(
        .accounts,
        DatabaseRecoveryTarget(
          engine: server, database: "mysql", context: context, system: true,
          provenTables: Self.accountTables, afterLoad: { _ = try server.sql("FLUSH PRIVILEGES") }))
    }
    return databaseRecovery(of: item, in: source, context: context)
      ?? .unsupported("\(item.name) is not a database of \(source.name)")
  }

  func standIn(for source: ConfiguredSource<MariaDBSettings>, context: OperationContext) -> StandIn {
    .server(MariaDBStandIn(runner: context.runner, secrets: context.secrets))
  }
}

extension ContentCheck {
  /// The dump's completion trailer, and its tables' fingerprints.
  static let mariadbDump = ContentCheck(
    name: "a MariaDB dump",
    recognises: { _, head in
      // Recent mariadb-dump versions put a sandbox-mode comment before the header.
      let text = String(decoding: head.prefix(512), as: UTF8.self)
      return ["-- MariaDB dump", "-- MySQL dump"].contains { text.hasPrefix($0) || text.contains("\n" + $0) }
    }
  ) { item, _ in
    inspecting(
      MariaDBDumpInspector(rowHash: try RowHash.Version.of(item.fingerprints)), item: item,
      what: "complete dump")
  }
}
