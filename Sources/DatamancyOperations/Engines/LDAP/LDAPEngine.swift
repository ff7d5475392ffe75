import DatamancyConfig
import DatamancyRepository
import DatamancySources
import Foundation

/// `type: ldap`: the directory as LDIF (`slapcat` or `ldapsearch`).
struct LDAPEngine: SourceEngine {
  var type: SourceType { .ldap }
  let drillsEveryItem = true
  var contentChecks: [ItemContent: ContentCheck] { [.ldif: .ldif] }

  func planner(_ source: ConfiguredSource<LDAPSettings>, context: OperationContext) -> any SourcePlanner {
    LDAPSource(name: source.name, settings: source.settings, runner: context.runner, secrets: context.secrets)
  }

  /// A private slapd with the source's schemas, loaded with `slapadd`.
  func scratch(
    for item: BackupItem, in source: ConfiguredSource<LDAPSettings>, repository: Repository,
    context: OperationContext
  ) -> any DrillScratch {
    SlapdScratch(
      repository: repository, runner: context.runner, tools: source.settings.connection.tools,
      schemas: source.settings.schemas)
  }
}

extension ContentCheck {
  /// Complete entries, and the entry count.
  static let ldif = ContentCheck(
    name: "an LDIF export",
    recognises: { item, head in
      head.starts(with: Array("dn:".utf8)) || item.fingerprints?.first?.table == "entries"
    }
  ) { item, _ in
    inspecting(
      LDIFInspector(rowHash: try RowHash.Version.of(item.fingerprints)), item: item, what: "complete LDIF")
  }
}
