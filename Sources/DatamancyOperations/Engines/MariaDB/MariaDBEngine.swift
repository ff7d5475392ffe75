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
