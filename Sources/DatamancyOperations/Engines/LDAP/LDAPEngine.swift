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

  /// Online into the configured server, as its bind DN; that needs the
  /// network settings (url, base, bind_dn) even when backups use slapcat.
  func recovery(of item: BackupItem, in source: ConfiguredSource<LDAPSettings>, context: RecoveryContext)
    -> Recovery
  {
    var settings = source.settings
    if settings.url == nil, let host = settings.connection.host {
      settings.url = "ldap://\(host):\(settings.connection.port ?? 389)/"
    }
    guard settings.url != nil, settings.bindDN != nil, let base = settings.base else {
      return .unsupported(
        "recover loads a directory online and needs url, base and bind_dn in the source; "
          + "or load it with slapadd, slapd stopped (docs/operations.md)")
    }
    let ldap = LDAPSource(
      name: source.name, settings: settings, runner: context.operations.runner,
      secrets: context.operations.secrets)
    return .target(.data, LDAPRecoveryTarget(source: ldap, base: base, itemName: item.name, context: context))
  }

  /// A private slapd for the base, managed by the source's bind DN.
  func standIn(for source: ConfiguredSource<LDAPSettings>, context: OperationContext) -> StandIn {
    guard source.settings.base != nil, source.settings.bindDN != nil else {
      return .unavailable("drill --cluster needs base and bind_dn in the source")
    }
    return .server(SlapdStandIn(runner: context.runner))
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
